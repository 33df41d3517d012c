-- Each file version's status before reports compete: withdrawn, then duplicate, then
-- rejected, else partial or accepted. Supersession is decided in int_file_status.
with versions as (

    select
        *,
        -- Among the copies now present, the one seen first (then the smallest path) counts.
        row_number() over (
            partition by sha256, is_present
            order by first_seen_at, {{ byte_order('file_path') }}
        ) as present_copy_rank
    from {{ ref('stg_file_versions') }}

),

file_errors as (

    select distinct sha256
    from {{ ref('int_rejecting_issues') }}
    where rejects = 'file'

),

row_counts as (

    select
        sha256,
        count(case when is_accepted then 1 end)     as rows_accepted,
        count(case when not is_accepted then 1 end) as rows_rejected
    from {{ ref('int_row_verdicts') }}
    group by sha256

)

select
    versions.file_path,
    versions.sha256,
    versions.size_bytes,
    versions.modified_at,
    versions.first_seen_at,
    versions.is_present,
    versions.archive_path,
    coalesce(parsed.form_type, 'unknown')    as form_type,
    coalesce(row_counts.rows_accepted, 0)   as rows_accepted,
    coalesce(row_counts.rows_rejected, 0)   as rows_rejected,
    file_errors.sha256 is not null          as has_file_error,
    case
        when not versions.is_present then 'withdrawn'
        when versions.present_copy_rank > 1 then 'duplicate'
        when file_errors.sha256 is not null or coalesce(row_counts.rows_accepted, 0) = 0 then 'rejected'
        when row_counts.rows_rejected > 0 then 'partial'
        else 'accepted'
    end as verdict
from versions
left join {{ ref('stg_parsed_files') }} as parsed on parsed.sha256 = versions.sha256
left join file_errors on file_errors.sha256 = versions.sha256
left join row_counts on row_counts.sha256 = versions.sha256
