-- The person rows of the activity reports that count (each identity's winner, from
-- int_report_contests): what the judgments across files compare. A report of a rejected,
-- superseded, duplicate or withdrawn file counts for nothing, so it is never compared.
select
    reports.report_id,
    reports.sha256,
    reports.file_path,
    reports.sheet,
    reports.supporting_hospital,
    reports.recipient_hospital,
    reports.department,
    reports.period_start,
    reports.period_end,
    {{ dbt.datediff('reports.period_start', 'reports.period_end', 'day') }} + 1 as period_days,
    people.row_number,
    people.person_name,
    people.person_key,
    people.name_cell
from {{ ref('int_report_contests') }} as reports
inner join {{ ref('stg_activity_rows') }} as people on people.report_id = reports.report_id
where reports.is_winner
    and reports.form_type = 'activity'
    and people.row_kind = 'person'
