-- Equal bytes count once: every content present in the raw folder has exactly one version
-- that is not a duplicate. Returns each content that breaks this.
select sha256, count(*) as counting_versions
from {{ ref('ingest_files') }}
where status not in ('withdrawn', 'duplicate')
group by sha256
having count(*) <> 1

union all

select present.sha256, 0 as counting_versions
from {{ ref('ingest_files') }} as present
where present.status = 'duplicate'
    and not exists (
        select 1 from {{ ref('ingest_files') }} as original
        where original.sha256 = present.sha256
            and original.status not in ('withdrawn', 'duplicate')
    )
