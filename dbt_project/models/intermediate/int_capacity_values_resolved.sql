-- One capacity value per (pair, metric, year): among the cells of winning capacity reports
-- that no error points at, the latest-modified file wins (ties: larger path, later sheet,
-- lower row). A capacity value belongs to its calendar year as reported; no pro rata.
-- Each (indicator, year) cell stands alone: 待统计 in this year's column rejects that cell
-- (and counts its row as rejected in ingest_files), not the indicator's earlier years.
with cell_errors as (

    select distinct sha256, sheet, cell
    from {{ ref('int_rejecting_issues') }}
    where cell is not null

),

candidates as (

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
    left join cell_errors
        on cell_errors.sha256 = cells.sha256
        and cell_errors.sheet is not distinct from cells.sheet
        and cell_errors.cell = cells.cell
    where reports.form_type = 'capacity'
        and cell_errors.cell is null
        -- A cell that holds no number reports nothing for that year.
        and cells.value is not null
        and cells.year between {{ var('first_year') }} and {{ var('last_year') }}

)

select supporting_hospital, recipient_hospital, metric_code, year, value, report_id, file_path
from candidates
where preference = 1
