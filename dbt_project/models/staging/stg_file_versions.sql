-- raw.file_versions as the loader typed it (sources.yml declares the types).
select * from {{ source('raw', 'file_versions') }}
