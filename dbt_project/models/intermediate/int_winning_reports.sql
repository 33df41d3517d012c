-- The reports that count: each identity's winner among the competing files.
select
    report_id,
    sha256,
    file_path,
    sheet,
    sheet_index,
    form_type,
    supporting_hospital,
    recipient_hospital,
    -- A department trend needs a name to group by: an activity report whose department was
    -- not found (a warning, not an error) is grouped under a visible placeholder.
    case
        when form_type = 'activity' then coalesce(department, '{{ var("unnamed_department") }}')
    end as department,
    period_start,
    period_end,
    modified_at,
    first_submitted_at
from {{ ref('int_report_contests') }}
where is_winner
