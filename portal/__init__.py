"""The portal (`bangfu serve`): a Django project through which each hospital's people log in,
see the pages of their own pairs, upload forms and see at once what `bangfu check` makes of
them, and through which the supporting hospital's reviewers approve or return reports.

It is a door, not a second pipeline: it writes only submitted files (into the raw folder, as
new versions) and its own tables (accounts, uploads, review actions); the next run reads them."""
