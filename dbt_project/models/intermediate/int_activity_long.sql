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
        when 'outpatient_plus_emergency' then outpatient.value + emergency.value
    end as value
from {{ ref('int_winning_reports') }} as reports
inner join accepted_people as people on people.report_id = reports.report_id
inner join {{ ref('int_report_metrics') }} as metrics on metrics.report_id = reports.report_id
left join cell_values as own
    on own.report_id = people.report_id
    and own.row_number = people.row_number
    and own.metric_code = metrics.metric_code
left join cell_values as outpatient
    on outpatient.report_id = people.report_id
    and outpatient.row_number = people.row_number
    and outpatient.metric_code = 'outpatient_visits'
left join cell_values as emergency
    on emergency.report_id = people.report_id
    and emergency.row_number = people.row_number
    and emergency.metric_code = 'emergency_visits'
