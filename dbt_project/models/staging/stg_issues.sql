-- raw.issues as the loader typed it (sources.yml declares the types).
select * from {{ source('raw', 'issues') }}
