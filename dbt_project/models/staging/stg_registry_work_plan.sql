-- raw.registry_work_plan as the registry loader typed it (sources.yml declares the types).
select * from {{ source('raw', 'registry_work_plan') }}
