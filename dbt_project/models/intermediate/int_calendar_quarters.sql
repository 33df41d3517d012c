-- The programme's quarters, the grain of reporting completeness.
select
    year,
    period_of_year as quarter,
    period_start   as quarter_start,
    period_end     as quarter_end,
    {{ dbt.concat(["cast(year as varchar)", "'Q'", "cast(period_of_year as varchar)"]) }} as period_label
from ({{ calendar_periods(3) }}) as quarters
