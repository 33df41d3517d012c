-- The expected reports and what became of each (int_expected_reports), as published.
select
    supporting_hospital,
    recipient_hospital,
    department,
    year,
    cadence,
    period_of_year,
    period_start,
    period_end,
    period_label,
    status,
    is_received,
    is_accepted,
    files_accepted_paths,
    files_rejected_paths,
    first_received_at,
    review_state
from {{ ref('int_expected_reports') }}
