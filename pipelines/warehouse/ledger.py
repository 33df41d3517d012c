"""The ledger's statements, in the SQL both engines speak: each engine fills in the schema of
the raw tables and its own parameter markers (DuckDB `$now`, psycopg `%(now)s`). The scan is a
table named `scanned` (and `skipped`) that the engine registers or fills first."""

from __future__ import annotations

# Upsert every version seen now; every other version is no longer present (withdrawn).
RECORD_SCAN = (
    """
    insert into {raw}.file_versions as fv
        (file_path, sha256, size_bytes, modified_at, first_seen_at, last_seen_at,
         is_present, archive_path)
    select file_path, sha256, size_bytes, modified_at, {now}, {now}, true, archive_path
    from scanned
    on conflict (file_path, sha256) do update set
        size_bytes = excluded.size_bytes,
        modified_at = excluded.modified_at,
        last_seen_at = excluded.last_seen_at,
        is_present = true,
        archive_path = excluded.archive_path
    """,
    """
    update {raw}.file_versions as fv set is_present = false
    where is_present and not exists (
        select 1 from scanned s where s.file_path = fv.file_path and s.sha256 = fv.sha256
    )
    """,
)

# How far the published ledger is from a scan: 0 when it records exactly this scan (the same
# present versions, every content read under this reader key, the same files not read for
# the same reasons).
SCAN_DIFFERENCES = """
    select
        (select count(*) from (
            (select file_path, sha256, size_bytes, modified_at from scanned
             except select file_path, sha256, size_bytes, modified_at
                    from {raw}.file_versions where is_present)
            union all
            (select file_path, sha256, size_bytes, modified_at
             from {raw}.file_versions where is_present
             except select file_path, sha256, size_bytes, modified_at from scanned)) as versions)
      + (select count(*) from scanned s where not exists (
            select 1 from {raw}.parsed_files p
            where p.sha256 = s.sha256 and p.reader_version = {reader}))
      + (select count(*) from (
            (select file_path, code, message from skipped
             except select file_path, code, message from {raw}.skipped_files)
            union all
            (select file_path, code, message from {raw}.skipped_files
             except select file_path, code, message from skipped)) as not_read)
"""


# The annotated copies made of the run's contents with errors, once every part is loaded
# (`copies`: sha256, annotated_copy, annotation_note).
RECORD_COPIES = """
update {raw}.parsed_files as parsed
set annotated_copy = copies.annotated_copy, annotation_note = copies.annotation_note
from copies
where parsed.sha256 = copies.sha256
"""
