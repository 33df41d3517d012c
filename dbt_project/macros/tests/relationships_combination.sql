{#- Fails for every combination of `columns` in the model that has no row in `to` with equal
    values in `to_columns` (same order; defaults to the same names). Rows with a NULL in any
    of the columns are not checked. -#}
{% test relationships_combination(model, columns, to, to_columns=none) %}
{%- set parent_columns = to_columns or columns %}
select distinct {% for column in columns %}child.{{ column }}{{ ", " if not loop.last }}{% endfor %}
from {{ model }} as child
where {% for column in columns %}child.{{ column }} is not null{{ " and " if not loop.last }}{% endfor %}
    and not exists (
        select 1
        from {{ to }} as parent
        where {% for column in columns %}parent.{{ parent_columns[loop.index0] }} = child.{{ column }}{{ " and " if not loop.last }}{% endfor %}
    )
{% endtest %}
