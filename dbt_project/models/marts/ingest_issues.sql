-- Every problem, once per file version holding the content, so a submitter finds it under
-- the path they sent. Duplicate copies are left out: their problems are their original's.
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
    files.status as file_status
from {{ ref('stg_issues') }} as issues
inner join {{ ref('int_file_status') }} as files on files.sha256 = issues.sha256
left join {{ ref('issue_codes') }} as codes on codes.code = issues.code
where files.status <> 'duplicate'
