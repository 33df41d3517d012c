-- Who reported for which quarter, against the registry's 应报科室. A winning activity
-- report counts for every quarter its period overlaps; it is on time when its first usable
-- file was modified no more than var('on_time_days') days after the period ended. Every
-- expected quarter has a row (missing when nothing came); unexpected reports get rows too.
with quarters as (

    -- The programme's quarters, the grain of the grid.
    select
        year,
        period_of_year as quarter,
        period_start   as quarter_start,
        period_end     as quarter_end,
        {{ dbt.concat(["cast(year as varchar)", "'Q'", "cast(period_of_year as varchar)"]) }} as period_label
    from ({{ calendar_periods(3) }}) as calendar

),

expected as (

    -- A quarter is expected when any report the registry asks for falls in it (a monthly form for
    -- March expects Q1); reports_expected counts them, reports_accepted those accepted.
    select
        expected.supporting_hospital,
        expected.recipient_hospital,
        expected.department,
        quarters.year,
        quarters.quarter,
        count(*) as reports_expected,
        count(case when expected.status = 'accepted' then 1 end) as reports_accepted,
        count(case when expected.status = 'rejected' then 1 end) as reports_rejected
    from {{ ref('mart_expected_reports') }} as expected
    inner join quarters
        on expected.period_start <= quarters.quarter_end
        and expected.period_end >= quarters.quarter_start
    group by 1, 2, 3, 4, 5

),

received as (

    select
        reports.supporting_hospital,
        reports.recipient_hospital,
        reports.department,
        quarters.year,
        quarters.quarter,
        count(*) as reports_received,
        count(
            case
                when {{ dbt.datediff('reports.period_end', 'reports.first_submitted_at', 'day') }}
                    <= {{ var('on_time_days') }}
                then 1
            end
        ) as reports_on_time,
        min(reports.first_submitted_at) as first_received_at
    from {{ ref('int_winning_reports') }} as reports
    inner join quarters
        on reports.period_start <= quarters.quarter_end
        and reports.period_end >= quarters.quarter_start
    where reports.form_type = 'activity'
    group by 1, 2, 3, 4, 5

),

reporter_quarters as (

    select supporting_hospital, recipient_hospital, department, year, quarter from expected
    union
    select supporting_hospital, recipient_hospital, department, year, quarter from received

)

select
    keys.supporting_hospital,
    keys.recipient_hospital,
    keys.department,
    keys.year,
    keys.quarter,
    quarters.period_label,
    expected.year is not null as expected,
    coalesce(received.reports_received, 0) as reports_received,
    coalesce(received.reports_on_time, 0) as reports_on_time,
    received.first_received_at,
    {{ var('on_time_days') }} as on_time_days,
    case
        when expected.year is null then 'unexpected'
        when received.reports_received is null then 'missing'
        when received.reports_on_time = received.reports_received then 'on_time'
        else 'late'
    end as status,
    coalesce(expected.reports_expected, 0) as reports_expected,
    coalesce(expected.reports_accepted, 0) as reports_accepted,
    -- What the completeness grid shows: the whole quarter accepted, part of it (a monthly
    -- form missing), received but rejected, nothing (缺报), or a report nobody expected.
    case
        when expected.year is null then 'unexpected'
        when expected.reports_accepted = expected.reports_expected then 'accepted'
        when expected.reports_accepted > 0 then 'incomplete'
        when expected.reports_rejected > 0 then 'rejected'
        else 'missing'
    end as coverage_status
from reporter_quarters as keys
inner join quarters
    on quarters.year = keys.year
    and quarters.quarter = keys.quarter
left join expected
    on expected.supporting_hospital = keys.supporting_hospital
    and expected.recipient_hospital = keys.recipient_hospital
    and expected.department = keys.department
    and expected.year = keys.year
    and expected.quarter = keys.quarter
left join received
    on received.supporting_hospital = keys.supporting_hospital
    and received.recipient_hospital = keys.recipient_hospital
    and received.department = keys.department
    and received.year = keys.year
    and received.quarter = keys.quarter
