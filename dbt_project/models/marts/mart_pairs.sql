-- The registry's pairs (帮扶关系) with each hospital's province and grade: the portal's scope
-- (a province viewer sees the pairs whose recipient is in its province) and the overview's
-- filters read them here.
select
    pairs.supporting_hospital,
    pairs.recipient_hospital,
    pairs.programme_name_zh,
    pairs.programme_start,
    pairs.programme_end,
    supporting.province as supporting_province,
    recipient.province as recipient_province,
    supporting.level as supporting_level,
    recipient.level as recipient_level
from {{ ref('stg_registry_pairs') }} as pairs
inner join {{ ref('stg_registry_hospitals') }} as supporting
    on supporting.hospital_name = pairs.supporting_hospital
inner join {{ ref('stg_registry_hospitals') }} as recipient
    on recipient.hospital_name = pairs.recipient_hospital
