-- One row per file version ever seen (int_file_summaries), as the contract publishes it.
select
    file_path,
    sha256,
    size_bytes,
    status,
    form_type,
    supporting_hospital,
    recipient_hospital,
    department,
    period_start,
    period_end,
    rows_accepted,
    rows_rejected,
    modified_at,
    first_seen_at,
    archive_path,
    error_count,
    warning_count,
    annotated_copy,
    annotation_note
from {{ ref('int_file_summaries') }}
