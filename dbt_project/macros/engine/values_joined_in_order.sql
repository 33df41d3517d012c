{#- Aggregate: the non-NULL values of a column joined by a delimiter in the order of another
    column (months as 1月、4月、10月, not in the order of their text). -#}
{% macro values_joined_in_order(column, order_by, delimiter) -%}
    {{ return(adapter.dispatch('values_joined_in_order', 'bangfu')(column, order_by, delimiter)) }}
{%- endmacro %}

{% macro default__values_joined_in_order(column, order_by, delimiter) -%}
    listagg({{ column }}, '{{ delimiter }}') within group (order by {{ order_by }})
{%- endmacro %}

{% macro duckdb__values_joined_in_order(column, order_by, delimiter) -%}
    string_agg({{ column }}, '{{ delimiter }}' order by {{ order_by }})
{%- endmacro %}

{% macro postgres__values_joined_in_order(column, order_by, delimiter) -%}
    string_agg({{ column }}, '{{ delimiter }}' order by {{ order_by }})
{%- endmacro %}
