-- Every data row with its verdict: person rows of activity reports and indicator rows of
-- capacity reports (totals rows are not data). What an error rejects is int_rejecting_issues':
-- a row-level error that row of that content and sheet, a file-level one every row of it.
with data_rows as (

    select report_id, sha256, sheet, row_number, 'person' as row_kind, person_name, person_key
    from {{ ref('stg_activity_rows') }}
    where row_kind = 'person'

    union all

    select distinct
        report_id, sha256, sheet, row_number, 'capacity' as row_kind,
        cast(null as varchar) as person_name,
        cast(null as varchar) as person_key
    from {{ ref('stg_capacity_values') }}

),

errors as (

    select sha256, sheet, row_number, cell, code, message, rejects
    from {{ ref('int_rejecting_issues') }}

),

row_faults as (

    select data_rows.report_id, data_rows.row_number, errors.code, errors.message
    from data_rows
    inner join errors
        on errors.sha256 = data_rows.sha256
        and (
            errors.rejects = 'file'
            or (
                errors.row_number = data_rows.row_number
                and errors.sheet is not distinct from data_rows.sheet
                -- on a sheet with tables side by side, a row number is in each of them:
                -- the error's cell says whose it is
                and (errors.cell is null or exists (
                    select 1 from {{ ref('int_report_cells') }} as cells
                    where cells.report_id = data_rows.report_id and cells.cell = errors.cell
                ) or not exists (
                    select 1 from {{ ref('int_report_cells') }} as cells
                    where cells.sha256 = errors.sha256 and cells.cell = errors.cell
                ))
            )
        )

),

fault_summary as (

    select
        report_id,
        row_number,
        {{ distinct_values_joined('code', ',') }} as error_codes,
        {{ distinct_values_joined('message', '；') }} as reasons
    from row_faults
    group by report_id, row_number

)

select
    data_rows.report_id,
    data_rows.sha256,
    data_rows.sheet,
    data_rows.row_number,
    data_rows.row_kind,
    data_rows.person_name,
    data_rows.person_key,
    fault_summary.error_codes is null as is_accepted,
    fault_summary.error_codes,
    fault_summary.reasons
from data_rows
left join fault_summary
    on fault_summary.report_id = data_rows.report_id
    and fault_summary.row_number = data_rows.row_number
