{#- Custom schemas are the warehouse's real schema names (seeds, staging, intermediate, main),
    not suffixes of the target schema as dbt makes them by default. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
