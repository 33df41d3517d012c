-- Yearly values per (pair, department, activity metric), dense over the programme years for
-- every department with a winning report. An activity metric is the pro-rata sum over the
-- accepted rows of the winning reports touching the year, NULL when none of them collected it;
-- a metric whose derivation (metrics.csv) is distinct_people (staff_dispatched) counts distinct
-- people with an accepted row in a report touching the year, NULL when no winning report
-- touches it.
with report_years as (

    select report_id, supporting_hospital, recipient_hospital, department, year, share
    from {{ ref('int_report_year_shares') }}

),

departments as (

    select distinct supporting_hospital, recipient_hospital, department
    from report_years

),

spine as (

    select departments.*, metrics.metric_code, metrics.derivation, years.year
    from departments
    cross join {{ ref('metrics') }} as metrics
    cross join {{ ref('int_calendar_years') }} as years
    where metrics.derivation in ('pro_rata_sum', 'distinct_people')

),

reports_per_year as (

    select supporting_hospital, recipient_hospital, department, year, count(*) as reports
    from report_years
    group by supporting_hospital, recipient_hospital, department, year

),

collected as (

    select
        report_years.supporting_hospital,
        report_years.recipient_hospital,
        report_years.department,
        report_years.year,
        metrics.metric_code,
        {{ dbt.bool_or('metrics.is_collected') }} as is_collected
    from report_years
    inner join {{ ref('int_report_metrics') }} as metrics on metrics.report_id = report_years.report_id
    group by 1, 2, 3, 4, 5

),

allocated as (

    select
        report_years.supporting_hospital,
        report_years.recipient_hospital,
        report_years.department,
        report_years.year,
        activity.metric_code,
        {{ exact_sum("activity.value * report_years.share") }} as value
    from report_years
    inner join {{ ref('int_activity_long') }} as activity on activity.report_id = report_years.report_id
    group by 1, 2, 3, 4, 5

),

staff as (

    select
        report_years.supporting_hospital,
        report_years.recipient_hospital,
        report_years.department,
        report_years.year,
        count(distinct activity.person_key) as people
    from report_years
    inner join {{ ref('int_activity_long') }} as activity on activity.report_id = report_years.report_id
    group by 1, 2, 3, 4

)

select
    spine.supporting_hospital,
    spine.recipient_hospital,
    spine.department,
    spine.metric_code,
    spine.year,
    case
        when spine.derivation = 'distinct_people'
            then case when reports_per_year.reports > 0 then coalesce(staff.people, 0) end
        when collected.is_collected
            then coalesce(allocated.value, 0)
    end as value,
    coalesce(reports_per_year.reports, 0) as reports
from spine
left join reports_per_year
    on reports_per_year.supporting_hospital = spine.supporting_hospital
    and reports_per_year.recipient_hospital = spine.recipient_hospital
    and reports_per_year.department = spine.department
    and reports_per_year.year = spine.year
left join collected
    on collected.supporting_hospital = spine.supporting_hospital
    and collected.recipient_hospital = spine.recipient_hospital
    and collected.department = spine.department
    and collected.year = spine.year
    and collected.metric_code = spine.metric_code
left join allocated
    on allocated.supporting_hospital = spine.supporting_hospital
    and allocated.recipient_hospital = spine.recipient_hospital
    and allocated.department = spine.department
    and allocated.year = spine.year
    and allocated.metric_code = spine.metric_code
left join staff
    on staff.supporting_hospital = spine.supporting_hospital
    and staff.recipient_hospital = spine.recipient_hospital
    and staff.department = spine.department
    and staff.year = spine.year
