{#- Building blocks of the trend columns. Every mart that uses them is dense (one row per year
    per group, tested), so the previous row is the previous year. -#}

{% macro prior_year_value(value, partition_by) -%}
    lag({{ value }}) over (partition by {{ partition_by | join(', ') }} order by year)
{%- endmacro %}

{% macro value_in_year(value, year, partition_by) -%}
    max(case when year = {{ year }} then {{ value }} end) over (partition by {{ partition_by | join(', ') }})
{%- endmacro %}

{#- The divisions below are made in DOUBLE PRECISION whatever the inputs' types: PostgreSQL
    divides two integers as integers (7 / 2 = 3), DuckDB as doubles. -#}

{#- (new - base) / base × 100; NULL when either is NULL or the base is 0. -#}
{% macro percent_change(new, base) -%}
    case when {{ base }} <> 0 then cast({{ new }} - {{ base }} as double precision) / {{ base }} * 100 end
{%- endmacro %}

{#- new / base × 100; NULL when either is NULL or the base is 0. -#}
{% macro index_to(new, base) -%}
    case when {{ base }} <> 0 then cast({{ new }} as double precision) / {{ base }} * 100 end
{%- endmacro %}

{#- Compound annual growth in percent over `years` years; NULL unless both ends are > 0. -#}
{% macro compound_annual_growth(first, last, years) -%}
    case when {{ first }} > 0 and {{ last }} > 0
        then (power(cast({{ last }} as double precision) / {{ first }},
                   cast(1 as double precision) / {{ years }}) - 1) * 100
    end
{%- endmacro %}
