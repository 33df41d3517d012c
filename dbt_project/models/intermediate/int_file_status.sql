-- The final status of every file version (docs/data-model.md "Statuses"): a competing file
-- all of whose reports lost is superseded.
with wins as (

    select file_path, sha256, {{ dbt.bool_or('is_winner') }} as has_winning_report
    from {{ ref('int_report_contests') }}
    group by file_path, sha256

)

select
    verdicts.file_path,
    verdicts.sha256,
    verdicts.size_bytes,
    verdicts.modified_at,
    verdicts.first_seen_at,
    verdicts.archive_path,
    verdicts.form_type,
    verdicts.rows_accepted,
    verdicts.rows_rejected,
    case
        when verdicts.verdict in ('accepted', 'partial') and not wins.has_winning_report then 'superseded'
        else verdicts.verdict
    end as status
from {{ ref('int_file_verdicts') }} as verdicts
left join wins
    on wins.file_path = verdicts.file_path
    and wins.sha256 = verdicts.sha256
