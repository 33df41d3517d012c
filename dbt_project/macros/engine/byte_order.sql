{#- Paths are compared in byte order (the contract's tie-break), whatever the engine's default
    collation. DuckDB already compares strings byte by byte. -#}
{% macro byte_order(expression) -%}
    {{ return(adapter.dispatch('byte_order', 'bangfu')(expression)) }}
{%- endmacro %}

{% macro default__byte_order(expression) -%}
    ({{ expression }} collate "C")
{%- endmacro %}

{% macro duckdb__byte_order(expression) -%}
    {{ expression }}
{%- endmacro %}
