-- raw.capacity_values as the loader typed it (sources.yml declares the types).
select * from {{ source('raw', 'capacity_values') }}
