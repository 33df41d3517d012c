-- Every registered supporting → recipient pair with its hospitals' provinces and levels: the
-- site's list of pairs (pairs.json, the leadership overview's province filter).
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
from {{ ref('hospital_pairs') }} as pairs
left join {{ ref('hospitals') }} as supporting
    on supporting.hospital_name = pairs.supporting_hospital
left join {{ ref('hospitals') }} as recipient
    on recipient.hospital_name = pairs.recipient_hospital
