-- Each report the registry's 应报科室 asks for, and what became of it: accepted (a
-- winning report of the department overlaps the period), rejected (reports arrived for the
-- period, but only in files rejected as a whole, so nothing of them counts), or missing
-- (nothing arrived: 缺报, the 催报清单). Withdrawn files and byte copies are not received.
with received as (

    select
        reports.supporting_hospital,
        reports.recipient_hospital,
        reports.department,
        reports.period_start,
        reports.period_end,
        files.file_path,
        files.verdict,
        -- The portal's review of a report in a usable file (none: waiting).
        case
            when files.verdict in ('accepted', 'partial')
                then coalesce(reviews.review_state, 'waiting')
        end as review_state
    from {{ ref('stg_reports') }} as reports
    inner join {{ ref('int_file_verdicts') }} as files on files.sha256 = reports.sha256
    left join {{ ref('int_report_reviews') }} as reviews on reviews.report_id = reports.report_id
    where reports.form_type = 'activity'
        and files.verdict in ('accepted', 'partial', 'rejected')
        and reports.period_start is not null
        and reports.period_end is not null

),

winners as (

    select supporting_hospital, recipient_hospital, department, period_start, period_end,
        file_path, first_submitted_at
    from {{ ref('int_winning_reports') }}
    where form_type = 'activity'

)

-- Every aggregate below is an existence, a distinct list or a minimum, so joining the
-- received and the winning reports to one period side by side counts each only as it should.
select
    expected.supporting_hospital,
    expected.recipient_hospital,
    expected.department,
    expected.year,
    expected.cadence,
    expected.period_of_year,
    expected.period_start,
    expected.period_end,
    expected.period_label,
    case
        when count(winners.file_path) > 0 then 'accepted'
        when count(received.file_path) > 0 then 'rejected'
        else 'missing'
    end as status,
    count(received.file_path) > 0 as is_received,
    count(winners.file_path) > 0 as is_accepted,
    {{ distinct_values_joined('winners.file_path', '、') }} as files_accepted_paths,
    {{ distinct_values_joined("case when received.verdict = 'rejected' then received.file_path end", '、') }}
        as files_rejected_paths,
    min(winners.first_submitted_at) as first_received_at,
    -- An approved report for the period decides; else one waiting; else one returned.
    case
        when count(case when received.review_state = 'approved' then 1 end) > 0 then 'approved'
        when count(case when received.review_state = 'waiting' then 1 end) > 0 then 'waiting'
        when count(case when received.review_state = 'returned' then 1 end) > 0 then 'returned'
    end as review_state
from {{ ref('int_expected_report_periods') }} as expected
left join received
    on received.supporting_hospital = expected.supporting_hospital
    and received.recipient_hospital = expected.recipient_hospital
    and received.department = expected.department
    and received.period_start <= expected.period_end
    and received.period_end >= expected.period_start
left join winners
    on winners.supporting_hospital = expected.supporting_hospital
    and winners.recipient_hospital = expected.recipient_hospital
    and winners.department = expected.department
    and winners.period_start <= expected.period_end
    and winners.period_end >= expected.period_start
group by 1, 2, 3, 4, 5, 6, 7, 8, 9
