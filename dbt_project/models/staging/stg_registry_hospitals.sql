-- raw.registry_hospitals as the registry loader typed it (sources.yml declares the types).
select * from {{ source('raw', 'registry_hospitals') }}
