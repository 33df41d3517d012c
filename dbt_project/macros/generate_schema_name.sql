{#- Custom schemas are the warehouse's real schema names (seeds, staging, intermediate, main),
    not suffixes of the target schema as dbt makes them by default. On a PostgreSQL server a
    run builds in schemas of its own, named with BANGFU_SCHEMA_SUFFIX (`main__build` …), which
    publishing swaps for the published ones (pipelines/warehouse/postgres.py). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name | trim if custom_schema_name else target.schema)
       ~ env_var('BANGFU_SCHEMA_SUFFIX', '') }}
{%- endmacro %}
