select
    cast(report_id as varchar)      as report_id,
    cast(sha256 as varchar)         as sha256,
    cast(sheet as varchar)          as sheet,
    cast(row_number as integer)     as row_number,
    cast(cell as varchar)           as cell,
    cast(metric_code as varchar)    as metric_code,
    cast(indicator_name as varchar) as indicator_name,
    cast(year as integer)           as year,
    cast(raw_text as varchar)       as raw_text,
    cast(value as double)           as value
from {{ source('raw', 'capacity_values') }}
