-- Each work-plan item (the registry's 工作计划: the 000 plan's checklist, the 004 plan's tasks) per
-- pair and year it applies to, tracked against the warehouse where the data can show it:
-- done (已完成), not_done (未完成) or no_data (无数据: the item has no measure, or nothing was
-- reported that year). An item with check_months needs staff on a winning report in each of
-- those months; any other measured item compares the year's value in mart_capacity_trend.
with items as (

    select plan.*, years.year
    from {{ ref('stg_registry_work_plan') }} as plan
    inner join {{ ref('int_calendar_years') }} as years
        on years.year between plan.from_year and plan.to_year

),

months as (

    select year, period_of_year as month, period_start, period_end
    from ({{ calendar_periods(1) }}) as calendar

),

month_checks as (

    -- One row per (item, year, listed month): the people on winning reports touching it.
    select
        items.plan_item_code,
        items.year,
        months.month,
        count(distinct activity.department || '|' || activity.person_key) as people,
        count(distinct reports.report_id) as reports
    from items
    inner join months
        on months.year = items.year
        and {{ dbt.concat(["'|'", "items.check_months", "'|'"]) }}
            like {{ dbt.concat(["'%|'", "cast(months.month as varchar)", "'|%'"]) }}
    left join {{ ref('int_winning_reports') }} as reports
        on reports.form_type = 'activity'
        and reports.supporting_hospital = items.supporting_hospital
        and reports.recipient_hospital = items.recipient_hospital
        and reports.period_start <= months.period_end
        and reports.period_end >= months.period_start
    left join {{ ref('int_activity_long') }} as activity
        on activity.report_id = reports.report_id
    where items.check_months is not null
    group by items.plan_item_code, items.year, months.month

),

month_summary as (

    select
        plan_item_code,
        year,
        count(*) as months_checked,
        count(case when people >= 1 then 1 end) as months_with_staff,
        count(case when reports > 0 then 1 end) as months_with_reports,
        -- One row per listed month, joined in calendar order (3月 before 10月).
        {{ values_joined_in_order("case when people < 1 then cast(month as varchar) || '月' end", 'month', '、') }}
            as months_without_staff,
        -- e.g. '3月 12 人（10 份报表）；9月 11 人（10 份报表）'
        {{ values_joined_in_order(
            "cast(month as varchar) || '月 ' || cast(people as varchar) || ' 人（' || cast(reports as varchar) || ' 份报表）'",
            'month', '；') }} as months_detail
    from month_checks
    group by plan_item_code, year

),

judged as (

    select
        items.*,
        trend.metric_name_zh,
        trend.unit_zh,
        trend.value as actual_value,
        trend.reports_expected,
        trend.reports_accepted,
        month_summary.months_checked,
        month_summary.months_with_staff,
        month_summary.months_without_staff,
        month_summary.months_detail,
        case
            when items.metric_code is null then 'no_data'
            when items.check_months is not null then
                case
                    when month_summary.months_with_reports = 0 then 'no_data'
                    when month_summary.months_with_staff = month_summary.months_checked then 'done'
                    else 'not_done'
                end
            when trend.value is null then 'no_data'
            when case items.comparator
                    when '>=' then trend.value >= items.target_value
                    when '<=' then trend.value <= items.target_value
                    when '=' then trend.value = items.target_value
                 end then 'done'
            else 'not_done'
        end as status
    from items
    left join {{ ref('mart_capacity_trend') }} as trend
        on trend.supporting_hospital = items.supporting_hospital
        and trend.recipient_hospital = items.recipient_hospital
        and trend.metric_code = items.metric_code
        and trend.year = items.year
    left join month_summary
        on month_summary.plan_item_code = items.plan_item_code
        and month_summary.year = items.year

)

select
    supporting_hospital,
    recipient_hospital,
    plan_item_code,
    year,
    source_zh,
    item_no,
    item_zh,
    when_zh,
    lead_department,
    metric_code,
    comparator,
    target_value,
    check_months,
    evidence_zh as measure_zh,
    case when check_months is null then actual_value end as actual_value,
    months_checked,
    months_with_staff,
    status,
    -- What the verdict rests on, in words a reader can check against the reports.
    case
        when metric_code is null then evidence_zh
        when check_months is not null then
            {{ dbt.concat([
                "case when months_without_staff is null then '各月均有下派人员：' else '无下派人员的月份：' || months_without_staff || '。' end",
                "coalesce(months_detail, '')"]) }}
        when actual_value is null then {{ dbt.concat(["cast(year as varchar)", "'年未报告'", "metric_name_zh"]) }}
        else {{ dbt.concat([
            "cast(year as varchar)", "'年'", "metric_name_zh", "' '",
            display_number('actual_value'),
            "' '", "coalesce(unit_zh, '')",
            "case when reports_expected is not null then '（已接收报表 ' || cast(reports_accepted as varchar) || '/' || cast(reports_expected as varchar) || ' 份）' else '（受援医院能力指标表）' end"]) }}
    end as evidence_detail_zh
from judged
