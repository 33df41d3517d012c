-- Every metric cell of a counting report's person rows beside its department's usual range:
-- the modified z-score (Iglewicz & Hoaglin) of its rate per day against every rate of the
-- same pair, department and metric in the reports that count. Judged anew on every run, so
-- a correction or a removed file changes the range and the warnings with it.
{% set group = ['supporting_hospital', 'recipient_hospital', 'department', 'metric_code'] %}
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

-- The median and the spread of each group are aggregates joined back, not window functions:
-- PostgreSQL has no median over a window.
medians as (

    select
        supporting_hospital,
        recipient_hospital,
        department,
        metric_code,
        {{ median('value_per_day') }} as median_per_day,
        count(*) as comparable_values
    from cells
    group by {{ group | join(', ') }}

),

spreads as (

    select
        medians.supporting_hospital,
        medians.recipient_hospital,
        medians.department,
        medians.metric_code,
        medians.median_per_day,
        medians.comparable_values,
        {{ median('abs(cells.value_per_day - medians.median_per_day)') }}
            / {{ corpus_rule('usual_range', 'mad_scale') }} as spread_per_day
    from cells
    inner join medians
        on {{ join_on('cells', 'medians', group) }}
    group by 1, 2, 3, 4, 5, 6

)

select
    cells.*,
    spreads.median_per_day,
    spreads.comparable_values,
    spreads.spread_per_day,
    case when spreads.spread_per_day > 0
        then (cells.value_per_day - spreads.median_per_day) / spreads.spread_per_day
    end as modified_z,
    (spreads.median_per_day
        + {{ corpus_rule('usual_range', 'max_modified_z') }} * spreads.spread_per_day)
        * cells.period_days as usual_high
from cells
inner join spreads
    on {{ join_on('cells', 'spreads', group) }}
