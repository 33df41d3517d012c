-- Every report the registry's 应报科室 asks for: one row per (pair, department, year, period),
-- a period being a week, a month or a quarter by the department's cadence. A reporter with
-- months (报送月份 '3|9') is expected only for the periods that touch one of them (a week:
-- the month of its Thursday; a quarter: any of its three months); without, for every period.
with calendar as (

    -- One row per (period, month it touches).
    select 'week' as cadence, year, period_of_year, period_start, period_end, month
    from ({{ calendar_weeks() }}) as weeks
    union all
    select 'month' as cadence, year, period_of_year, period_start, period_end,
        period_of_year as month
    from ({{ calendar_periods(1) }}) as months
    union all
    select 'quarter' as cadence, quarters.year, quarters.period_of_year, quarters.period_start,
        quarters.period_end, (quarters.period_of_year - 1) * 3 + offsets.month_in_quarter as month
    from ({{ calendar_periods(3) }}) as quarters
    cross join (select 1 as month_in_quarter union all select 2 union all select 3) as offsets

),

expected as (

    select distinct
        reporters.supporting_hospital,
        reporters.recipient_hospital,
        reporters.department,
        reporters.first_year as expected_from_year,
        calendar.cadence,
        calendar.year,
        calendar.period_of_year,
        calendar.period_start,
        calendar.period_end
    from {{ ref('stg_registry_expected_reporters') }} as reporters
    inner join calendar
        on calendar.cadence = reporters.cadence
        and calendar.year between reporters.first_year and reporters.last_year
        -- months is a '|'-separated list such as '3|9', or NULL for every period
        and (reporters.months is null
             or {{ dbt.concat(["'|'", "reporters.months", "'|'"]) }}
                like {{ dbt.concat(["'%|'", "cast(calendar.month as varchar)", "'|%'"]) }})

)

select
    expected.*,
    case expected.cadence
        when 'week' then {{ dbt.concat(["cast(expected.year as varchar)", "'年第'",
                                        "cast(expected.period_of_year as varchar)", "'周'"]) }}
        when 'month' then {{ dbt.concat(["cast(expected.year as varchar)", "'年'",
                                         "cast(expected.period_of_year as varchar)", "'月'"]) }}
        else {{ dbt.concat(["cast(expected.year as varchar)", "'年第'",
                            "cast(expected.period_of_year as varchar)", "'季度'"]) }}
    end as period_label
from expected
