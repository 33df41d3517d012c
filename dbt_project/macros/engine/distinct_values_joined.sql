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

{% macro postgres__distinct_values_joined(column, delimiter) -%}
    {{ return(bangfu.duckdb__distinct_values_joined(column, delimiter)) }}
{%- endmacro %}
