{#- The programme's calendar as literal rows, one per period of `months` months from
    var('first_year') to var('last_year'): year, period_of_year (1-based), period_start,
    period_end (inclusive). Written out by Jinja so no engine-specific series function is needed. -#}
{% macro calendar_periods(months) -%}
    {%- set periods_per_year = 12 // months -%}
    {%- set rows = [] -%}
    {%- for year in range(var('first_year'), var('last_year') + 1) -%}
        {%- for index in range(periods_per_year) -%}
            {%- set start = modules.datetime.date(year, index * months + 1, 1) -%}
            {%- if index + 1 == periods_per_year -%}
                {%- set next_start = modules.datetime.date(year + 1, 1, 1) -%}
            {%- else -%}
                {%- set next_start = modules.datetime.date(year, (index + 1) * months + 1, 1) -%}
            {%- endif -%}
            {%- set end = next_start - modules.datetime.timedelta(days=1) -%}
            {%- do rows.append(
                "select " ~ year ~ " as year, " ~ (index + 1) ~ " as period_of_year, "
                ~ "cast('" ~ start.isoformat() ~ "' as date) as period_start, "
                ~ "cast('" ~ end.isoformat() ~ "' as date) as period_end"
            ) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ rows | join('\nunion all\n') }}
{%- endmacro %}

{#- The programme's weeks as literal rows (Monday to Sunday, numbered as ISO 8601 does: a week
    belongs to the year, and the month, of its Thursday): year, period_of_year (the week
    number), period_start, period_end, month (of its Thursday). -#}
{% macro calendar_weeks() -%}
    {%- set rows = [] -%}
    {%- set first = modules.datetime.date(var('first_year'), 1, 4) -%}
    {%- set monday = first - modules.datetime.timedelta(days=first.weekday()) -%}
    {%- set last = modules.datetime.date(var('last_year'), 12, 28) -%}
    {%- for index in range(((last - monday).days // 7) + 1) -%}
        {%- set start = monday + modules.datetime.timedelta(days=7 * index) -%}
        {%- set thursday = start + modules.datetime.timedelta(days=3) -%}
        {%- do rows.append(
            "select " ~ thursday.year ~ " as year, " ~ start.isocalendar()[1] ~ " as period_of_year, "
            ~ "cast('" ~ start.isoformat() ~ "' as date) as period_start, "
            ~ "cast('" ~ (start + modules.datetime.timedelta(days=6)).isoformat() ~ "' as date) as period_end, "
            ~ thursday.month ~ " as month"
        ) -%}
    {%- endfor -%}
    {{ rows | join('\nunion all\n') }}
{%- endmacro %}
