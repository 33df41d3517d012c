select
    cast(file_path as varchar) as file_path,
    cast(code as varchar)      as code,
    cast(severity as varchar)  as severity,
    cast(message as varchar)   as message,
    cast(seen_at as timestamp) as seen_at
from {{ source('raw', 'skipped_files') }}
