select
    cast(report_id as varchar)   as report_id,
    cast(sha256 as varchar)      as sha256,
    cast(row_number as integer)  as row_number,
    cast(metric_code as varchar) as metric_code,
    cast(cell as varchar)        as cell,
    cast(raw_text as varchar)    as raw_text,
    cast(value as double)        as value
from {{ source('raw', 'activity_values') }}
