{#- Fails for every combination of the given columns that occurs more than once (NULLs are
    equal to each other here, as a grain must be unique with them too). -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
