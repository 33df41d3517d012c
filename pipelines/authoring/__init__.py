"""What bangfu writes for people: the sample corpus and the blank templates.

Kept apart from `pipelines.forms`, which only reads; labels come from the reader's vocabulary.
"""
