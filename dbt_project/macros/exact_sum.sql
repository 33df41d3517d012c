{#- A sum of doubles that does not depend on the order rows arrive in: DuckDB adds doubles in
    whatever order its threads deliver them, so two runs of the same input could differ in
    the last bits (47.199999999999996 vs 47.2). Each term is rounded to 10 decimals and
    added as a decimal (exact, so order-free), then given back as a double. -#}
{% macro exact_sum(expression) -%}
    cast(sum(cast({{ expression }} as decimal(38, 10))) as double precision)
{%- endmacro %}
