-- One row per file version ever seen, with its status and what it holds. Row counts describe
-- the content whatever the status (a duplicate shows the rows its original holds).
with report_summary as (

    select
        sha256,
        {{ distinct_values_joined('supporting_hospital', '、') }} as supporting_hospital,
        {{ distinct_values_joined('recipient_hospital', '、') }} as recipient_hospital,
        {{ distinct_values_joined('department', '、') }} as department,
        min(period_start) as period_start,
        max(period_end) as period_end
    from {{ ref('stg_reports') }}
    group by sha256

),

issue_counts as (

    select
        sha256,
        count(case when severity = 'error' then 1 end) as error_count,
        count(case when severity = 'warning' then 1 end) as warning_count
    from {{ ref('stg_issues') }}
    group by sha256

)

select
    files.file_path,
    files.sha256,
    files.size_bytes,
    files.status,
    files.form_type,
    report_summary.supporting_hospital,
    report_summary.recipient_hospital,
    report_summary.department,
    report_summary.period_start,
    report_summary.period_end,
    files.rows_accepted,
    files.rows_rejected,
    files.modified_at,
    files.first_seen_at,
    files.archive_path,
    coalesce(issue_counts.error_count, 0) as error_count,
    coalesce(issue_counts.warning_count, 0) as warning_count,
    parsed.annotated_copy,
    parsed.annotation_note
from {{ ref('int_file_status') }} as files
left join report_summary on report_summary.sha256 = files.sha256
left join issue_counts on issue_counts.sha256 = files.sha256
left join {{ ref('stg_parsed_files') }} as parsed on parsed.sha256 = files.sha256
