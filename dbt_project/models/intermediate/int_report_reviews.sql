-- Each report's review state in the portal: its newest action decides (approve → approved,
-- return → returned, an approval withdrawn → waiting). A report nobody acted on has no row:
-- it is waiting.
with ranked as (

    select
        *,
        row_number() over (partition by report_id order by sequence desc) as newest_first
    from {{ ref('stg_review_actions') }}

)

select
    report_id,
    case action
        when 'approve' then 'approved'
        when 'return' then 'returned'
        else 'waiting'
    end as review_state
from ranked
where newest_first = 1
