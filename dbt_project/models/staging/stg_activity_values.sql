-- raw.activity_values as the loader typed it (sources.yml declares the types).
select * from {{ source('raw', 'activity_values') }}
