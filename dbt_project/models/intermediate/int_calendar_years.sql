-- The programme's calendar years, first_year to last_year.
select
    year,
    period_start as year_start,
    period_end   as year_end
from ({{ calendar_periods(12) }}) as years
