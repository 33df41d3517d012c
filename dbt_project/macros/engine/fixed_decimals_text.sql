{#- A number as text with exactly `digits` decimals, rounded ('12.30' for 2, '12' for 0). -#}
{% macro fixed_decimals_text(expression, digits) -%}
    {{ return(adapter.dispatch('fixed_decimals_text', 'bangfu')(expression, digits)) }}
{%- endmacro %}

{% macro default__fixed_decimals_text(expression, digits) -%}
    cast(round(cast({{ expression }} as numeric), {{ digits }}) as varchar)
{%- endmacro %}

{% macro duckdb__fixed_decimals_text(expression, digits) -%}
    printf('%.{{ digits }}f', {{ expression }})
{%- endmacro %}
