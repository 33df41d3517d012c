select
    cast(sha256 as varchar)      as sha256,
    cast(sheet as varchar)       as sheet,
    cast(row_number as integer)  as row_number,
    cast(column_name as varchar) as column_name,
    cast(cell as varchar)        as cell,
    cast(severity as varchar)    as severity,
    cast(code as varchar)        as code,
    cast(message as varchar)     as message,
    cast(value_found as varchar) as value_found,
    cast(source as varchar)      as source
from {{ source('raw', 'issues') }}
