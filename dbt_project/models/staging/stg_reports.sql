select
    cast(report_id as varchar)           as report_id,
    cast(sha256 as varchar)              as sha256,
    cast(sheet as varchar)               as sheet,
    cast(sheet_index as integer)         as sheet_index,
    cast(form_type as varchar)           as form_type,
    cast(supporting_hospital as varchar) as supporting_hospital,
    cast(recipient_hospital as varchar)  as recipient_hospital,
    cast(department as varchar)          as department,
    cast(period_start as date)           as period_start,
    cast(period_end as date)             as period_end,
    cast(header_row as integer)          as header_row
from {{ source('raw', 'reports') }}
