-- The contract's five-year trend: every registered pair × every metric × every programme year.
-- Activity and derived metrics carry the pair's reporting coverage of the year (reports
-- expected, received, accepted over all its departments); capacity indicators do not (NULL).
{% set group = ['supporting_hospital', 'recipient_hospital', 'metric_code'] %}
with coverage as (

    -- Counts stay BIGINT on both engines (a sum of BIGINT is HUGEINT in DuckDB, NUMERIC in
    -- PostgreSQL).
    select
        supporting_hospital,
        recipient_hospital,
        year,
        cast(sum(reports_expected) as bigint) as reports_expected,
        cast(sum(reports_received) as bigint) as reports_received,
        cast(sum(reports_accepted) as bigint) as reports_accepted
    from {{ ref('mart_reporting_coverage') }}
    group by supporting_hospital, recipient_hospital, year

),

yearly as (

    select
        *,
        {{ prior_year_value('value', group) }} as prior_year_value,
        {{ value_in_year('value', var('first_year'), group) }} as first_year_value,
        {{ value_in_year('value', var('last_year'), group) }} as last_year_value
    from {{ ref('int_pair_metric_values') }}

)

select
    yearly.supporting_hospital,
    yearly.recipient_hospital,
    yearly.metric_code,
    yearly.year,
    metrics.metric_name_zh,
    metrics.unit,
    yearly.value,
    yearly.prior_year_value,
    yearly.value - yearly.prior_year_value as yoy_change,
    {{ percent_change('yearly.value', 'yearly.prior_year_value') }} as yoy_pct,
    {{ index_to('yearly.value', 'yearly.first_year_value') }} as index_vs_2018,
    {{ compound_annual_growth('yearly.first_year_value', 'yearly.last_year_value',
                              var('last_year') - var('first_year')) }} as cagr_2018_2022,
    metrics.metric_name_en,
    metrics.unit_zh,
    metrics.kind,
    metrics.value_type,
    metrics.higher_is_better,
    metrics.sort_order,
    case when metrics.kind <> 'capacity' then coalesce(coverage.reports_expected, 0) end as reports_expected,
    case when metrics.kind <> 'capacity' then coalesce(coverage.reports_received, 0) end as reports_received,
    case when metrics.kind <> 'capacity' then coalesce(coverage.reports_accepted, 0) end as reports_accepted
from yearly
inner join {{ ref('metrics') }} as metrics on metrics.metric_code = yearly.metric_code
left join coverage
    on coverage.supporting_hospital = yearly.supporting_hospital
    and coverage.recipient_hospital = yearly.recipient_hospital
    and coverage.year = yearly.year
