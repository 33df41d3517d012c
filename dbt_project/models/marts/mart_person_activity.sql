-- What each dispatched person did per year: the pro-rata sum of their accepted rows in the
-- winning reports touching the year. Sparse: a (person, metric, year) appears only when one of
-- those reports collected the metric.
select
    activity.supporting_hospital,
    activity.recipient_hospital,
    activity.department,
    activity.person_key as person_name,
    activity.metric_code,
    metrics.metric_name_zh,
    metrics.unit,
    shares.year,
    {{ exact_sum("activity.value * shares.share") }} as value,
    count(distinct activity.report_id) as reports
from {{ ref('int_activity_long') }} as activity
inner join {{ ref('int_report_year_shares') }} as shares on shares.report_id = activity.report_id
inner join {{ ref('metrics') }} as metrics on metrics.metric_code = activity.metric_code
group by 1, 2, 3, 4, 5, 6, 7, 8
having {{ dbt.bool_or('activity.is_reported') }}
