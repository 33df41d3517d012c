-- One capacity value per (pair, metric, year): among the accepted indicator rows of winning
-- capacity reports, the latest-modified file wins (ties: larger path, later sheet, lower row).
-- A capacity value belongs to its calendar year as reported; no pro rata.
with candidates as (

    select
        reports.supporting_hospital,
        reports.recipient_hospital,
        cells.metric_code,
        cells.year,
        cells.value,
        reports.report_id,
        reports.file_path,
        row_number() over (
            partition by reports.supporting_hospital, reports.recipient_hospital, cells.metric_code, cells.year
            order by
                reports.modified_at desc,
                {{ byte_order('reports.file_path') }} desc,
                reports.sheet_index desc,
                cells.row_number
        ) as preference
    from {{ ref('int_winning_reports') }} as reports
    inner join {{ ref('stg_capacity_values') }} as cells on cells.report_id = reports.report_id
    inner join {{ ref('int_row_verdicts') }} as verdicts
        on verdicts.report_id = cells.report_id
        and verdicts.row_number = cells.row_number
    where reports.form_type = 'capacity'
        and verdicts.is_accepted
        -- A cell that holds no number reports nothing for that year.
        and cells.value is not null
        and cells.year between {{ var('first_year') }} and {{ var('last_year') }}

)

select supporting_hospital, recipient_hospital, metric_code, year, value, report_id, file_path
from candidates
where preference = 1
