select
    cast(report_id as varchar)     as report_id,
    cast(sha256 as varchar)        as sha256,
    cast(metric_code as varchar)   as metric_code,
    cast(column_name as varchar)   as column_name,
    cast(column_letter as varchar) as column_letter
from {{ source('raw', 'report_columns') }}
