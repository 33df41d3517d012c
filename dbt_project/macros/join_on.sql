{#- A join condition on several columns, NULL matching NULL (a report without a department
    is a group of its own). -#}
{% macro join_on(left, right, columns) -%}
    {%- for column in columns %}
        {{ 'and ' if not loop.first }}{{ left }}.{{ column }} is not distinct from {{ right }}.{{ column }}
    {%- endfor %}
{%- endmacro %}
