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
