-- Activity metrics (and staff dispatched) per department and year, dense over the programme
-- years for every department with a winning report, each beside how complete its year is
-- (reports expected, received and accepted; 0 expected for a department not in the seed).
{% set group = ['supporting_hospital', 'recipient_hospital', 'department', 'metric_code'] %}
with yearly as (

    select
        *,
        {{ prior_year_value('value', group) }} as prior_year_value
    from {{ ref('int_department_metric_values') }}

)

select
    yearly.supporting_hospital,
    yearly.recipient_hospital,
    yearly.department,
    yearly.metric_code,
    metrics.metric_name_zh,
    metrics.unit,
    metrics.derivation,
    yearly.year,
    yearly.value,
    yearly.prior_year_value,
    yearly.value - yearly.prior_year_value as yoy_change,
    {{ percent_change('yearly.value', 'yearly.prior_year_value') }} as yoy_pct,
    yearly.reports,
    coverage.reporting_cadence,
    coalesce(coverage.reports_expected, 0) as reports_expected,
    coalesce(coverage.reports_received, 0) as reports_received,
    coalesce(coverage.reports_accepted, 0) as reports_accepted
from yearly
inner join {{ ref('metrics') }} as metrics on metrics.metric_code = yearly.metric_code
left join {{ ref('int_reporting_coverage') }} as coverage
    on coverage.supporting_hospital = yearly.supporting_hospital
    and coverage.recipient_hospital = yearly.recipient_hospital
    and coverage.department = yearly.department
    and coverage.year = yearly.year
