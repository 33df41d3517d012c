-- Each programme target (the registry's 目标; blank hospitals = every pair) checked against the
-- yearly value in mart_capacity_trend for every year it applies to.
with applicable as (

    select
        pairs.supporting_hospital,
        pairs.recipient_hospital,
        targets.target_code,
        targets.target_name_zh,
        targets.metric_code,
        targets.comparator,
        targets.target_value,
        years.year
    from {{ ref('stg_registry_targets') }} as targets
    inner join {{ ref('stg_registry_pairs') }} as pairs
        on (targets.supporting_hospital is null or targets.supporting_hospital = pairs.supporting_hospital)
        and (targets.recipient_hospital is null or targets.recipient_hospital = pairs.recipient_hospital)
    inner join {{ ref('int_calendar_years') }} as years
        on years.year between targets.from_year and targets.to_year

),

compared as (

    select
        applicable.*,
        trend.value as actual_value,
        case applicable.comparator
            when '>=' then trend.value >= applicable.target_value
            when '<=' then trend.value <= applicable.target_value
            when '=' then trend.value = applicable.target_value
        end as is_met
    from applicable
    left join {{ ref('mart_capacity_trend') }} as trend
        on trend.supporting_hospital = applicable.supporting_hospital
        and trend.recipient_hospital = applicable.recipient_hospital
        and trend.metric_code = applicable.metric_code
        and trend.year = applicable.year

)

select
    supporting_hospital,
    recipient_hospital,
    target_code,
    target_name_zh,
    metric_code,
    year,
    comparator,
    target_value,
    actual_value,
    case
        when actual_value is null then 'not_reported'
        when is_met then 'met'
        else 'not_met'
    end as status
from compared
