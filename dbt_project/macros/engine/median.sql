{#- Aggregate: the median of an expression, interpolated between the two middle values when
    their count is even (DuckDB's median is quantile_cont(0.5), PostgreSQL's percentile_cont).
    An aggregate only: PostgreSQL takes no ordered-set aggregate over a window. -#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'bangfu')(expression)) }}
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    median({{ expression }})
{%- endmacro %}
