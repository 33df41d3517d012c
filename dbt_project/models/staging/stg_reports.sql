-- raw.reports as the loader typed it (sources.yml declares the types).
select * from {{ source('raw', 'reports') }}
