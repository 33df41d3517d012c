-- raw.registry_expected_reporters as the registry loader typed it (sources.yml declares the types).
select * from {{ source('raw', 'registry_expected_reporters') }}
