-- Which activity metrics each winning activity report collected, and how. A metric whose
-- column the form lacks is not collected (NULL in the marts, never 0); total_visits is the
-- total column when there is one, else outpatient + emergency when the form has both.
with report_columns as (

    select distinct report_id, metric_code
    from {{ ref('stg_report_columns') }}

),

visit_parts as (

    select report_id, count(*) as parts
    from report_columns
    where metric_code in ('outpatient_visits', 'emergency_visits')
    group by report_id

),

candidates as (

    select
        reports.report_id,
        metrics.metric_code,
        case
            when report_columns.metric_code is not null then 'column'
            when metrics.metric_code = 'total_visits' and visit_parts.parts = 2 then 'outpatient_plus_emergency'
        end as collected_as
    from {{ ref('int_winning_reports') }} as reports
    cross join {{ ref('metrics') }} as metrics
    left join report_columns
        on report_columns.report_id = reports.report_id
        and report_columns.metric_code = metrics.metric_code
    left join visit_parts on visit_parts.report_id = reports.report_id
    where reports.form_type = 'activity'
        and metrics.kind = 'activity'

)

select
    report_id,
    metric_code,
    collected_as,
    collected_as is not null as is_collected
from candidates
