-- The one home of "a file-level error rejects the file; a row-level error rejects its row":
-- every error issue with what it rejects, the level its code has in issue_codes. A warning
-- rejects nothing and is not here.
select
    issues.sha256,
    issues.sheet,
    issues.row_number,
    issues.cell,
    issues.code,
    issues.message,
    codes.level as rejects
from {{ ref('stg_issues') }} as issues
inner join {{ ref('issue_codes') }} as codes on codes.code = issues.code
where codes.severity = 'error'
