-- raw.registry_hospital_aliases as the registry loader typed it (sources.yml declares the types).
select * from {{ source('raw', 'registry_hospital_aliases') }}
