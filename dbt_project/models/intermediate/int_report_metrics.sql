-- Which activity metrics each winning activity report collected, and how. A metric whose
-- column the form lacks is not collected (NULL in the marts, never 0); a derived metric
-- (total_visits) is its own column when there is one, else the sum of its parts (metrics.csv
-- derived_from, through int_metric_parts) when the form has them all.
with report_columns as (

    select distinct report_id, metric_code
    from {{ ref('stg_report_columns') }}

),

parts_present as (

    select
        report_columns.report_id,
        parts.metric_code,
        count(*) as parts,
        max(parts.part_count) as part_count
    from report_columns
    inner join {{ ref('int_metric_parts') }} as parts
        on parts.part_code = report_columns.metric_code
    group by report_columns.report_id, parts.metric_code

),

candidates as (

    select
        reports.report_id,
        metrics.metric_code,
        case
            when report_columns.metric_code is not null then 'column'
            when parts_present.parts = parts_present.part_count then 'sum_of_parts'
        end as collected_as
    from {{ ref('int_winning_reports') }} as reports
    cross join {{ ref('metrics') }} as metrics
    left join report_columns
        on report_columns.report_id = reports.report_id
        and report_columns.metric_code = metrics.metric_code
    left join parts_present
        on parts_present.report_id = reports.report_id
        and parts_present.metric_code = metrics.metric_code
    where reports.form_type = 'activity'
        and metrics.kind = 'activity'

)

select
    report_id,
    metric_code,
    collected_as,
    collected_as is not null as is_collected
from candidates
