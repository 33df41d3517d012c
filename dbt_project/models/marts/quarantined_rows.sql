-- Every rejected person or indicator row (every row of a rejected file included), with the
-- text its cells held and why it was rejected, once per file version except duplicate copies.
with rejected_rows as (

    select *
    from {{ ref('int_row_verdicts') }}
    where not is_accepted

),

-- The cells of each rejected row as written, keyed by header; the name or indicator first.
cells as (

    select report_id, row_number, '姓名' as column_name, coalesce(person_name, '') as raw_text,
        0 as column_order, '' as column_key
    from rejected_rows
    where row_kind = 'person'

    union all

    select activity.report_id, activity.row_number, headers.column_name, activity.raw_text,
        {{ dbt.length('headers.column_letter') }} as column_order, headers.column_letter as column_key
    from {{ ref('stg_activity_values') }} as activity
    inner join {{ ref('stg_report_columns') }} as headers
        on headers.report_id = activity.report_id
        and headers.metric_code = activity.metric_code

    union all

    select distinct report_id, row_number, '指标' as column_name, indicator_name as raw_text,
        0 as column_order, '' as column_key
    from {{ ref('stg_capacity_values') }}

    union all

    select report_id, row_number, cast(year as varchar) as column_name, raw_text,
        1 as column_order, cast(year as varchar) as column_key
    from {{ ref('stg_capacity_values') }}

),

row_cells as (

    select
        cells.report_id,
        cells.row_number,
        {{ json_object_agg('cells.column_name', 'cells.raw_text', 'cells.column_order, cells.column_key') }}
            as raw_cells_json
    from cells
    inner join rejected_rows
        on rejected_rows.report_id = cells.report_id
        and rejected_rows.row_number = cells.row_number
    group by cells.report_id, cells.row_number

)

select
    files.file_path,
    rejected_rows.sha256,
    rejected_rows.sheet,
    rejected_rows.row_number,
    rejected_rows.person_name,
    reports.supporting_hospital,
    reports.recipient_hospital,
    reports.department,
    reports.period_start,
    reports.period_end,
    row_cells.raw_cells_json,
    rejected_rows.error_codes,
    rejected_rows.reasons,
    rejected_rows.row_kind,
    files.status as file_status
from rejected_rows
inner join {{ ref('stg_reports') }} as reports on reports.report_id = rejected_rows.report_id
inner join {{ ref('int_file_status') }} as files on files.sha256 = rejected_rows.sha256
left join row_cells
    on row_cells.report_id = rejected_rows.report_id
    and row_cells.row_number = rejected_rows.row_number
where files.status <> 'duplicate'
