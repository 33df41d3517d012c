{#- Aggregate: the distinct non-NULL values of a column, sorted and joined by a delimiter.
    A group whose rows all agree yields that single value. -#}
{% macro distinct_values_joined(column, delimiter) -%}
    {{ return(adapter.dispatch('distinct_values_joined', 'bangfu')(column, delimiter)) }}
{%- endmacro %}

{% macro default__distinct_values_joined(column, delimiter) -%}
    listagg(distinct {{ column }}, '{{ delimiter }}') within group (order by {{ column }})
{%- endmacro %}

{% macro duckdb__distinct_values_joined(column, delimiter) -%}
    string_agg(distinct {{ column }}, '{{ delimiter }}' order by {{ column }})
{%- endmacro %}

{#- Sorted in byte order, as DuckDB sorts, whatever the database's collation (zh_CN.UTF-8 on
    many servers would sort by pinyin): both warehouses hold the same text. -#}
{% macro postgres__distinct_values_joined(column, delimiter) -%}
    {%- set sorted_text = 'cast(' ~ column ~ ' as text) collate "C"' %}
    string_agg(distinct {{ sorted_text }}, '{{ delimiter }}' order by {{ sorted_text }})
{%- endmacro %}
