{#- Fails for every group that does not have exactly one row for each programme year
    var('first_year') .. var('last_year') and no row outside them. -#}
{% test one_row_per_year(model, group_by, column_name='year') %}
{%- set years = var('last_year') - var('first_year') + 1 %}
select {{ group_by | join(', ') }}, count(*) as row_count, count(distinct {{ column_name }}) as year_count
from {{ model }}
group by {{ group_by | join(', ') }}
having count(*) <> {{ years }}
    or count(distinct {{ column_name }}) <> {{ years }}
    or min({{ column_name }}) <> {{ var('first_year') }}
    or max({{ column_name }}) <> {{ var('last_year') }}
{% endtest %}
