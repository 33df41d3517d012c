-- Every report the expected_reporters seed asks for: one row per (pair, department, year,
-- period), a period being a listed month (cadence month) or quarter (cadence quarter).
with calendar as (

    select 'month' as cadence, year, period_of_year, period_start, period_end
    from ({{ calendar_periods(1) }}) as months
    union all
    select 'quarter' as cadence, year, period_of_year, period_start, period_end
    from ({{ calendar_periods(3) }}) as quarters

)

select
    reporters.supporting_hospital,
    reporters.recipient_hospital,
    reporters.department,
    reporters.first_year as expected_from_year,
    calendar.cadence,
    calendar.year,
    calendar.period_of_year,
    calendar.period_start,
    calendar.period_end,
    case calendar.cadence
        when 'month' then {{ dbt.concat(["cast(calendar.year as varchar)", "'年'",
                                         "cast(calendar.period_of_year as varchar)", "'月'"]) }}
        else {{ dbt.concat(["cast(calendar.year as varchar)", "'年第'",
                            "cast(calendar.period_of_year as varchar)", "'季度'"]) }}
    end as period_label
from {{ ref('expected_reporters') }} as reporters
inner join calendar
    on calendar.cadence = reporters.cadence
    and calendar.year between reporters.first_year and reporters.last_year
    -- periods is a '|'-separated list such as '3|9'
    and {{ dbt.concat(["'|'", "reporters.periods", "'|'"]) }}
        like {{ dbt.concat(["'%|'", "cast(calendar.period_of_year as varchar)", "'|%'"]) }}
