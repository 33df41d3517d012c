-- The long shape: one row per (winning activity report, accepted person row, activity
-- metric) with the value the row reports, or NULL and is_reported = false when the report
-- did not collect the metric.
with accepted_people as (

    select report_id, row_number, person_key
    from {{ ref('int_row_verdicts') }}
    where row_kind = 'person' and is_accepted

),

cell_values as (

    select report_id, row_number, metric_code, value
    from {{ ref('stg_activity_values') }}

),

-- A derived metric's value on a row: the sum of its parts, NULL when any part is (as a + b).
summed_parts as (

    select
        cells.report_id,
        cells.row_number,
        parts.metric_code,
        case when count(cells.value) = max(parts.part_count) then sum(cells.value) end as value
    from cell_values as cells
    inner join {{ ref('int_metric_parts') }} as parts on parts.part_code = cells.metric_code
    group by cells.report_id, cells.row_number, parts.metric_code

)

select
    reports.report_id,
    reports.supporting_hospital,
    reports.recipient_hospital,
    reports.department,
    people.row_number,
    people.person_key,
    metrics.metric_code,
    metrics.is_collected as is_reported,
    case metrics.collected_as
        when 'column' then own.value
        when 'sum_of_parts' then summed.value
    end as value
from {{ ref('int_winning_reports') }} as reports
inner join accepted_people as people on people.report_id = reports.report_id
inner join {{ ref('int_report_metrics') }} as metrics on metrics.report_id = reports.report_id
left join cell_values as own
    on own.report_id = people.report_id
    and own.row_number = people.row_number
    and own.metric_code = metrics.metric_code
left join summed_parts as summed
    on summed.report_id = people.report_id
    and summed.row_number = people.row_number
    and summed.metric_code = metrics.metric_code
