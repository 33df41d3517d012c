{#- One threshold of a judgment across files, from the corpus_rules seed (the one home of
    every bound dbt applies). -#}
{% macro corpus_rule(rule, parameter) -%}
    (select value from {{ ref('corpus_rules') }}
     where rule = '{{ rule }}' and parameter = '{{ parameter }}')
{%- endmacro %}

{#- The Chinese message of an issue: the issue_codes seed's template with its placeholders
    filled, as pipelines/issues.py fills them for the issues Python finds. -#}
{% macro issue_message(template, sheet, row_number, cell, column_name, value_found, detail) -%}
    replace(replace(replace(replace(replace(replace({{ template }},
        '{sheet}', coalesce({{ sheet }}, '')),
        '{row}', coalesce(cast({{ row_number }} as varchar), '')),
        '{cell}', coalesce({{ cell }}, '')),
        '{column}', coalesce({{ column_name }}, '')),
        '{value}', coalesce({{ value_found }}, '')),
        '{detail}', coalesce({{ detail }}, ''))
{%- endmacro %}

{#- A number as people write it in a message: at most two decimals, no trailing zeros. -#}
{% macro display_number(expression) -%}
    rtrim(rtrim({{ fixed_decimals_text(expression, 2) }}, '0'), '.')
{%- endmacro %}
