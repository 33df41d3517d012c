-- Every registered pair × metric × programme year: its value (int_pair_metric_values) and, for
-- a metric the departments report (not a capacity indicator), how complete the pair's year is
-- (reports expected, received and accepted over all its departments). Read by the trend mart
-- and by the work plan's verdicts.
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
    from {{ ref('int_reporting_coverage') }}
    group by supporting_hospital, recipient_hospital, year

)

select
    pair_values.supporting_hospital,
    pair_values.recipient_hospital,
    pair_values.metric_code,
    pair_values.year,
    pair_values.value,
    case when metrics.kind <> 'capacity' then coalesce(coverage.reports_expected, 0) end as reports_expected,
    case when metrics.kind <> 'capacity' then coalesce(coverage.reports_received, 0) end as reports_received,
    case when metrics.kind <> 'capacity' then coalesce(coverage.reports_accepted, 0) end as reports_accepted
from {{ ref('int_pair_metric_values') }} as pair_values
inner join {{ ref('metrics') }} as metrics on metrics.metric_code = pair_values.metric_code
left join coverage
    on coverage.supporting_hospital = pair_values.supporting_hospital
    and coverage.recipient_hospital = pair_values.recipient_hospital
    and coverage.year = pair_values.year
