select
    cast(report_id as varchar)   as report_id,
    cast(sha256 as varchar)      as sha256,
    cast(sheet as varchar)       as sheet,
    cast(row_number as integer)  as row_number,
    cast(row_kind as varchar)    as row_kind,
    cast(person_name as varchar) as person_name,
    cast(person_key as varchar)  as person_key,
    cast(name_cell as varchar)   as name_cell,
    cast(person_title as varchar) as person_title
from {{ source('raw', 'activity_rows') }}
