-- raw.registry_targets as the registry loader typed it (sources.yml declares the types).
select * from {{ source('raw', 'registry_targets') }}
