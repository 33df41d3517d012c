-- Every cell a report was read from (metric cells, name cells, capacity cells): which report
-- a problem at a cell is about when a sheet holds several (side by side, stacked, split by a
-- 科室 column). A cell belongs to one report.
select distinct report_id, sha256, row_number, cell
from (

    select report_id, sha256, row_number, cell from {{ ref('stg_activity_values') }}

    union all

    select report_id, sha256, row_number, name_cell as cell from {{ ref('stg_activity_rows') }}

    union all

    select report_id, sha256, row_number, cell from {{ ref('stg_capacity_values') }}

) as cells
where cell is not null
