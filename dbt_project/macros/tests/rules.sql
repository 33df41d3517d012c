{#- Every rule a model's rows must keep, in one test: returns each offending row, with the
    rule it breaks in failed_rule (a row breaking several rules comes once per rule).
    - unique: column lists, each a key (NULLs equal to each other, as a grain must be unique
      with them too);
    - not_null: columns;
    - accepted_values: column → the values it may hold (NULL is not checked here: list the
      column under not_null too);
    - expressions: boolean SQL each row must make true (false or NULL fails);
    - references: {columns, to, to_columns (same order; defaults to the same names)}: each
      combination of the columns has a row in `to` (rows with a NULL in them not checked).
    Severity applies to the whole test, so a rule that only warns goes in a test of its own. -#}
{% test rules(model, unique=[], not_null=[], accepted_values={}, expressions=[], references=[]) %}
{%- set checks = [] %}
{%- for key in unique %}
    {%- set same_key = [] %}
    {%- for column in key %}
        {%- do same_key.append("repeated." ~ column ~ " is not distinct from checked." ~ column) %}
    {%- endfor %}
    {%- do checks.append(("unique (" ~ key | join(", ") ~ ")",
        "exists (select 1 from (select " ~ key | join(", ") ~ " from " ~ model ~ " group by "
            ~ key | join(", ") ~ " having count(*) > 1) as repeated where "
            ~ same_key | join(" and ") ~ ")")) %}
{%- endfor %}
{%- for column in not_null %}
    {%- do checks.append(("not_null " ~ column, column ~ " is null")) %}
{%- endfor %}
{%- for column, values in accepted_values.items() %}
    {%- set literals = [] %}
    {%- for value in values %}
        {%- do literals.append(value if value is number else "'" ~ value ~ "'") %}
    {%- endfor %}
    {%- do checks.append(("accepted_values " ~ column ~ " in (" ~ literals | join(", ") ~ ")",
        column ~ " not in (" ~ literals | join(", ") ~ ")")) %}
{%- endfor %}
{%- for expression in expressions %}
    {%- do checks.append((expression, "not coalesce(" ~ expression ~ ", false)")) %}
{%- endfor %}
{%- for reference in references %}
    {%- set parent_columns = reference.to_columns or reference.columns %}
    {%- set pairs = [] %}
    {%- for column in reference.columns %}
        {%- do pairs.append("parent." ~ parent_columns[loop.index0] ~ " = checked." ~ column) %}
    {%- endfor %}
    {#- Named by its table alone: the database is the run's working copy. -#}
    {%- set parent_name = reference.to.identifier if reference.to.identifier is defined else reference.to %}
    {%- do checks.append(
        ("references (" ~ reference.columns | join(", ") ~ ") → " ~ parent_name ~ " ("
            ~ parent_columns | join(", ") ~ ")",
         "checked." ~ reference.columns | join(" is not null and checked.") ~ " is not null"
            ~ " and not exists (select 1 from " ~ reference.to ~ " as parent where "
            ~ pairs | join(" and ") ~ ")")) %}
{%- endfor %}
{%- if not checks %}
    {{ exceptions.raise_compiler_error("rules on " ~ model ~ ": no rule given") }}
{%- endif %}
{%- for rule, failing in checks %}
select '{{ rule | replace("'", "''") }}' as failed_rule, checked.*
from {{ model }} as checked
where {{ failing }}
{{ "union all" if not loop.last }}
{% endfor %}
{% endtest %}
