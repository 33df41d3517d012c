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

matched as (

    select
        expected.supporting_hospital,
        expected.recipient_hospital,
        expected.department,
        expected.year,
        expected.cadence,
        expected.period_of_year,
        count(received.file_path) as files_received,
        {{ distinct_values_joined('received.file_path', '、') }} as files_received_paths,
        {{ distinct_values_joined("case when received.verdict = 'rejected' then received.file_path end", '、') }}
            as files_rejected_paths,
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
    group by 1, 2, 3, 4, 5, 6

),

accepted as (

    select
        expected.supporting_hospital,
        expected.recipient_hospital,
        expected.department,
        expected.year,
        expected.cadence,
        expected.period_of_year,
        {{ distinct_values_joined('winners.file_path', '、') }} as files_accepted_paths,
        min(winners.first_submitted_at) as first_received_at
    from {{ ref('int_expected_report_periods') }} as expected
    inner join {{ ref('int_winning_reports') }} as winners
        on winners.form_type = 'activity'
        and winners.supporting_hospital = expected.supporting_hospital
        and winners.recipient_hospital = expected.recipient_hospital
        and winners.department = expected.department
        and winners.period_start <= expected.period_end
        and winners.period_end >= expected.period_start
    group by 1, 2, 3, 4, 5, 6

)

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
        when accepted.files_accepted_paths is not null then 'accepted'
        when matched.files_received > 0 then 'rejected'
        else 'missing'
    end as status,
    matched.files_received > 0 as is_received,
    accepted.files_accepted_paths is not null as is_accepted,
    accepted.files_accepted_paths,
    matched.files_rejected_paths,
    accepted.first_received_at,
    matched.review_state
from {{ ref('int_expected_report_periods') }} as expected
inner join matched
    on matched.supporting_hospital = expected.supporting_hospital
    and matched.recipient_hospital = expected.recipient_hospital
    and matched.department = expected.department
    and matched.year = expected.year
    and matched.cadence = expected.cadence
    and matched.period_of_year = expected.period_of_year
left join accepted
    on accepted.supporting_hospital = expected.supporting_hospital
    and accepted.recipient_hospital = expected.recipient_hospital
    and accepted.department = expected.department
    and accepted.year = expected.year
    and accepted.cadence = expected.cadence
    and accepted.period_of_year = expected.period_of_year
