{#- Aggregate: one JSON object built from key/value pairs, keys in the given order. A key may
    repeat (two columns with the same header) without failing the build. -#}
{% macro json_object_agg(key, value, order_by) -%}
    {{ return(adapter.dispatch('json_object_agg', 'bangfu')(key, value, order_by)) }}
{%- endmacro %}

{% macro default__json_object_agg(key, value, order_by) -%}
    json_object_agg({{ key }}, {{ value }} order by {{ order_by }})
{%- endmacro %}

{#- DuckDB's json_group_object takes no ORDER BY and a MAP rejects repeated keys, so the
    object's text is assembled from JSON-encoded keys and values. -#}
{% macro duckdb__json_object_agg(key, value, order_by) -%}
    cast(
        '{' || string_agg(
            cast(to_json({{ key }}) as varchar) || ':' || cast(to_json({{ value }}) as varchar),
            ',' order by {{ order_by }}
        ) || '}'
    as json)
{%- endmacro %}

{#- PostgreSQL's json_object_agg writes `{ "k" : v, … }`; the same text as DuckDB's is
    assembled instead, so that both warehouses hold equal values. -#}
{% macro postgres__json_object_agg(key, value, order_by) -%}
    {{ return(bangfu.duckdb__json_object_agg(key, value, order_by)) }}
{%- endmacro %}
