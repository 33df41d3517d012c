-- Yearly value of every metric for every registered pair, dense: activity metrics summed over
-- departments (NULL when no department has a value), capacity metrics as resolved.
with activity as (

    select supporting_hospital, recipient_hospital, metric_code, year, {{ exact_sum("value") }} as value
    from {{ ref('int_department_metric_values') }}
    group by supporting_hospital, recipient_hospital, metric_code, year

),

capacity as (

    select supporting_hospital, recipient_hospital, metric_code, year, value
    from {{ ref('int_capacity_values_resolved') }}

),

measured as (

    select * from activity
    union all
    select * from capacity

)

select
    pairs.supporting_hospital,
    pairs.recipient_hospital,
    metrics.metric_code,
    years.year,
    measured.value
from {{ ref('stg_registry_pairs') }} as pairs
cross join {{ ref('metrics') }} as metrics
cross join {{ ref('int_calendar_years') }} as years
left join measured
    on measured.supporting_hospital = pairs.supporting_hospital
    and measured.recipient_hospital = pairs.recipient_hospital
    and measured.metric_code = metrics.metric_code
    and measured.year = years.year
