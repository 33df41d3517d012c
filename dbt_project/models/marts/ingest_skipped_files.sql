-- Everything in the raw folder that was not read on the latest scan, with why: hidden and
-- system files, symbolic links (never followed), files still being written (read by a later
-- run), folders that cannot be opened.
select
    skipped.file_path,
    skipped.code,
    codes.title_zh as code_title_zh,
    skipped.severity,
    skipped.message,
    skipped.seen_at
from {{ ref('stg_skipped_files') }} as skipped
left join {{ ref('issue_codes') }} as codes on codes.code = skipped.code
