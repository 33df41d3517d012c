select
    cast(sha256 as varchar)         as sha256,
    cast(parsed_path as varchar)    as parsed_path,
    cast(form_type as varchar)      as form_type,
    cast(sheet_count as integer)    as sheet_count,
    cast(parsed_at as timestamp)    as parsed_at,
    cast(reader_version as varchar) as reader_version
from {{ source('raw', 'parsed_files') }}
