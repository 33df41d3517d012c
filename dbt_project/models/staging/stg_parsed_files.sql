-- raw.parsed_files as the loader typed it (sources.yml declares the types).
select * from {{ source('raw', 'parsed_files') }}
