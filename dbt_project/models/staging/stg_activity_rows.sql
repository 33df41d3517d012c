-- raw.activity_rows as the loader typed it (sources.yml declares the types).
select * from {{ source('raw', 'activity_rows') }}
