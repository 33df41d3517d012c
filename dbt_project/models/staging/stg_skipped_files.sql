-- raw.skipped_files as the loader typed it (sources.yml declares the types).
select * from {{ source('raw', 'skipped_files') }}
