-- The catalogue's derivations, one row per (derived metric, part): metrics.csv derived_from
-- 'outpatient_visits + emergency_visits' gives total_visits two rows. The models that sum a
-- metric from its parts read them here, so a derivation is a seed change only.
with derivations as (

    select metric_code, unnest(string_to_array(derived_from, '+')) as part
    from {{ ref('metrics') }}
    where derived_from is not null

)

select
    metric_code,
    trim(part) as part_code,
    count(*) over (partition by metric_code) as part_count
from derivations
