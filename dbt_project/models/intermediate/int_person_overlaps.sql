-- One row per person row of a counting report that lists a person whom another counting
-- report of the same pair and department lists in an overlapping period: the same work
-- counted twice. A corrected resubmission replaces its report (it is no overlap), and
-- removing a file takes its overlaps away, since only the reports that count are compared.
with people as (

    select * from {{ ref('int_counting_person_rows') }}
    where person_key is not null

),

overlapping as (

    select
        people.report_id,
        people.sha256,
        people.sheet,
        people.row_number,
        people.name_cell,
        people.person_name,
        others.report_id as other_report_id,
        others.file_path || '，' || cast(others.period_start as varchar) || '至'
            || cast(others.period_end as varchar) as other_report
    from people
    inner join people as others
        on others.person_key = people.person_key
        and others.supporting_hospital = people.supporting_hospital
        and others.recipient_hospital = people.recipient_hospital
        and others.department = people.department
        and others.report_id <> people.report_id
        and others.period_start <= people.period_end
        and others.period_end >= people.period_start

)

select
    report_id,
    sha256,
    sheet,
    row_number,
    name_cell,
    person_name,
    count(distinct other_report_id)                     as overlapping_reports,
    {{ distinct_values_joined('other_report', '；') }}  as overlapping_with
from overlapping
group by report_id, sha256, sheet, row_number, name_cell, person_name
