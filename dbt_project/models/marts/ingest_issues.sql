-- Every problem, once per file version holding the content, so a submitter finds it under
-- the path they sent. Duplicate copies are left out: their problems are their original's.
-- Each problem belongs to the pair and department of the report whose cell it points at,
-- else of its sheet's reports when they agree (a workbook may hold one sheet per department,
-- a sheet several reports), else to those of its file. Problems come from one file (raw
-- issues found by the reader and the suites) or from the corpus (int_corpus_issues).
with issues as (

    select * from {{ ref('stg_issues') }}
    union all
    select * from {{ ref('int_corpus_issues') }}

),

sheet_reports as (

    select
        sha256,
        sheet,
        case when count(distinct supporting_hospital) = 1 then min(supporting_hospital) end as supporting_hospital,
        case when count(distinct recipient_hospital) = 1 then min(recipient_hospital) end as recipient_hospital,
        case when count(distinct department) = 1 then min(department) end as department
    from {{ ref('stg_reports') }}
    group by sha256, sheet

),

cell_reports as (

    select distinct
        reports.sha256,
        reports.sheet,
        cells.cell,
        reports.supporting_hospital,
        reports.recipient_hospital,
        reports.department
    from {{ ref('int_report_cells') }} as cells
    inner join {{ ref('stg_reports') }} as reports on reports.report_id = cells.report_id

)

select
    files.file_path,
    issues.sha256,
    issues.sheet,
    issues.row_number,
    issues.column_name,
    issues.cell,
    issues.severity,
    issues.code,
    codes.title_zh as code_title_zh,
    issues.message,
    issues.value_found,
    issues.source,
    files.status as file_status,
    coalesce(cell_reports.supporting_hospital, sheet_reports.supporting_hospital, files.supporting_hospital) as supporting_hospital,
    coalesce(cell_reports.recipient_hospital, sheet_reports.recipient_hospital, files.recipient_hospital) as recipient_hospital,
    coalesce(cell_reports.department, sheet_reports.department, files.department) as department
from issues
inner join {{ ref('int_file_summaries') }} as files on files.sha256 = issues.sha256
left join sheet_reports
    on sheet_reports.sha256 = issues.sha256
    and sheet_reports.sheet is not distinct from issues.sheet
left join cell_reports
    on cell_reports.sha256 = issues.sha256
    and cell_reports.sheet is not distinct from issues.sheet
    and cell_reports.cell = issues.cell
left join {{ ref('issue_codes') }} as codes on codes.code = issues.code
where files.status <> 'duplicate'
