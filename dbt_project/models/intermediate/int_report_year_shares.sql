-- Pro-rata allocation of each winning activity report's period to calendar years by days:
-- share = days of the period in the year / days of the period. Only programme years get a row,
-- so a period reaching outside the window keeps only the share inside it. Nothing is rounded.
with reports as (

    select
        report_id,
        supporting_hospital,
        recipient_hospital,
        department,
        period_start,
        period_end,
        {{ dbt.datediff('period_start', 'period_end', 'day') }} + 1 as period_days
    from {{ ref('int_winning_reports') }}
    where form_type = 'activity'

),

clipped_periods as (

    select
        reports.report_id,
        reports.supporting_hospital,
        reports.recipient_hospital,
        reports.department,
        years.year,
        reports.period_days,
        case when reports.period_start > years.year_start then reports.period_start else years.year_start end as overlap_start,
        case when reports.period_end < years.year_end then reports.period_end else years.year_end end as overlap_end
    from reports
    inner join {{ ref('int_calendar_years') }} as years
        on reports.period_start <= years.year_end
        and reports.period_end >= years.year_start

),

days as (

    select
        report_id,
        supporting_hospital,
        recipient_hospital,
        department,
        year,
        {{ dbt.datediff('overlap_start', 'overlap_end', 'day') }} + 1 as days_in_year,
        period_days
    from clipped_periods

)

select
    *,
    cast(days_in_year as double precision) / period_days as share
from days
