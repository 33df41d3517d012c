-- The registry's hospitals (医院), with whether each supports or receives in a registered
-- pair: the portal's accounts take their hospital and province from here.
select
    hospitals.hospital_name,
    hospitals.level,
    hospitals.province,
    exists (select 1 from {{ ref('stg_registry_pairs') }} as pairs
            where pairs.supporting_hospital = hospitals.hospital_name) as is_supporting,
    exists (select 1 from {{ ref('stg_registry_pairs') }} as pairs
            where pairs.recipient_hospital = hospitals.hospital_name) as is_recipient
from {{ ref('stg_registry_hospitals') }} as hospitals
