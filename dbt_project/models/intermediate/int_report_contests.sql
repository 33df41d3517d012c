-- The reports of every competing (accepted or partial) file version, ranked within their
-- identity (supporting, recipient, department, period). The latest-modified file wins; ties
-- go to the larger path in byte order, then, within one workbook, to the later sheet, and
-- within one sheet (the same report stacked twice) to the lower table, as the reader says.
-- With approval required (var approval_required), only reports approved in the portal
-- compete: a waiting or returned one neither counts nor supersedes an approved older one.
with competing_reports as (

    select
        reports.report_id,
        reports.sha256,
        reports.sheet,
        reports.sheet_index,
        reports.header_row,
        reports.form_type,
        reports.supporting_hospital,
        reports.recipient_hospital,
        reports.department,
        reports.period_start,
        reports.period_end,
        files.file_path,
        files.modified_at
    from {{ ref('stg_reports') }} as reports
    inner join {{ ref('int_file_verdicts') }} as files
        on files.sha256 = reports.sha256
        and files.verdict in ('accepted', 'partial')
    left join {{ ref('int_report_reviews') }} as reviews
        on reviews.report_id = reports.report_id
    where not {{ var('approval_required') }} or reviews.review_state = 'approved'

)

select
    *,
    row_number() over (
        partition by supporting_hospital, recipient_hospital, department, period_start, period_end
        order by modified_at desc, {{ byte_order('file_path') }} desc, sheet_index desc, header_row desc
    ) = 1 as is_winner,
    -- When the report first arrived in a usable file: a later correction does not make it late.
    min(modified_at) over (
        partition by supporting_hospital, recipient_hospital, department, period_start, period_end
    ) as first_submitted_at
from competing_reports
