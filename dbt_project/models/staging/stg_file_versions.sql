select
    cast(file_path as varchar)       as file_path,
    cast(sha256 as varchar)          as sha256,
    cast(size_bytes as bigint)       as size_bytes,
    cast(modified_at as timestamp)   as modified_at,
    cast(first_seen_at as timestamp) as first_seen_at,
    cast(last_seen_at as timestamp)  as last_seen_at,
    cast(is_present as boolean)      as is_present,
    cast(archive_path as varchar)    as archive_path
from {{ source('raw', 'file_versions') }}
