-- Every metric cell of a counting report's person rows beside its department's usual range:
-- the modified z-score (Iglewicz & Hoaglin) of its rate per day against every rate of the
-- same pair, department and metric in the reports that count. Judged anew on every run, so
-- a correction or a removed file changes the range and the warnings with it.
with cells as (

    select
        people.report_id,
        people.sha256,
        people.sheet,
        people.supporting_hospital,
        people.recipient_hospital,
        people.department,
        people.period_days,
        cells.row_number,
        cells.metric_code,
        cells.cell,
        cells.raw_text,
        cells.value,
        cells.value / people.period_days as value_per_day
    from {{ ref('int_counting_person_rows') }} as people
    inner join {{ ref('stg_activity_values') }} as cells
        on cells.report_id = people.report_id
        and cells.row_number = people.row_number
    where cells.value is not null

),

medians as (

    select
        *,
        median(value_per_day) over (
            partition by supporting_hospital, recipient_hospital, department, metric_code
        ) as median_per_day,
        count(*) over (
            partition by supporting_hospital, recipient_hospital, department, metric_code
        ) as comparable_values
    from cells

),

spreads as (

    select
        *,
        median(abs(value_per_day - median_per_day)) over (
            partition by supporting_hospital, recipient_hospital, department, metric_code
        ) / {{ corpus_rule('usual_range', 'mad_scale') }} as spread_per_day
    from medians

)

select
    *,
    case when spread_per_day > 0
        then (value_per_day - median_per_day) / spread_per_day
    end as modified_z,
    (median_per_day + {{ corpus_rule('usual_range', 'max_modified_z') }} * spread_per_day)
        * period_days as usual_high
from spreads
