-- Every problem, once per file version holding the content, so a submitter finds it under
-- the path they sent. Duplicate copies are left out: their problems are their original's.
-- Each problem belongs to the pair and department of its sheet's report (a workbook may hold
-- one sheet per department), else to those of its file. Problems come from one file (raw
-- issues found by the reader and the suites) or from the corpus (int_corpus_issues).
with issues as (

    select * from {{ ref('stg_issues') }}
    union all
    select * from {{ ref('int_corpus_issues') }}

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
    coalesce(reports.supporting_hospital, files.supporting_hospital) as supporting_hospital,
    coalesce(reports.recipient_hospital, files.recipient_hospital) as recipient_hospital,
    coalesce(reports.department, files.department) as department
from issues
inner join {{ ref('ingest_files') }} as files on files.sha256 = issues.sha256
left join {{ ref('stg_reports') }} as reports
    on reports.sha256 = issues.sha256
    and reports.sheet is not distinct from issues.sheet
left join {{ ref('issue_codes') }} as codes on codes.code = issues.code
where files.status <> 'duplicate'
