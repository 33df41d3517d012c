-- How complete each department's year is (int_reporting_coverage), as published.
select
    supporting_hospital,
    recipient_hospital,
    department,
    year,
    reporting_cadence,
    reports_expected,
    reports_received,
    reports_accepted,
    reports_approved,
    reports_waiting,
    reports_returned
from {{ ref('int_reporting_coverage') }}
