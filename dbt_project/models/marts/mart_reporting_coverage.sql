-- How complete each department's year is: reports expected (the registry's 应报科室), of
-- them received (in any file that is not withdrawn or a byte copy) and accepted (a winning
-- report covers the period). One row per (pair, department, year) with expected reports.
select
    supporting_hospital,
    recipient_hospital,
    department,
    year,
    -- A department that changes cadence does so at a year boundary (seed rows span years).
    min(cadence) as reporting_cadence,
    count(*) as reports_expected,
    count(case when is_received then 1 end) as reports_received,
    count(case when is_accepted then 1 end) as reports_accepted,
    -- The portal's review of the reports received (approval required or not).
    count(case when review_state = 'approved' then 1 end) as reports_approved,
    count(case when review_state = 'waiting' then 1 end) as reports_waiting,
    count(case when review_state = 'returned' then 1 end) as reports_returned
from {{ ref('mart_expected_reports') }}
group by supporting_hospital, recipient_hospital, department, year
