-- The problems only the corpus shows, in raw.issues' shape, for ingest_issues: a person
-- counted in overlapping periods (overlapping_period) and a value far above its department's
-- usual range (implausible_value). Warnings only: they reject nothing, so no file's verdict
-- depends on them. A cell that a suite already found implausible is not reported again.
with codes as (

    select code, severity, message_zh from {{ ref('issue_codes') }}

),

overlap_issues as (

    select
        people.sha256,
        people.sheet,
        people.row_number,
        '姓名'                  as column_name,
        people.name_cell        as cell,
        'overlapping_period'    as code,
        people.person_name      as value_found,
        people.overlapping_with as detail
    from {{ ref('int_person_overlaps') }} as people

),

outlier_issues as (

    select
        cells.sha256,
        cells.sheet,
        cells.row_number,
        columns.column_name,
        cells.cell,
        'implausible_value'      as code,
        cells.raw_text           as value_found,
        '同科室以往每人每天中位数约 ' || {{ display_number('cells.median_per_day') }}
            || '，按本期 ' || cast(cells.period_days as varchar) || ' 天通常不超过 '
            || {{ fixed_decimals_text('cells.usual_high', 0) }} as detail
    from {{ ref('int_usual_range_cells') }} as cells
    left join {{ ref('stg_report_columns') }} as columns
        on columns.report_id = cells.report_id
        and columns.metric_code = cells.metric_code
    where cells.comparable_values >= {{ corpus_rule('usual_range', 'min_points') }}
        and cells.spread_per_day > 0
        and cells.median_per_day >= {{ corpus_rule('usual_range', 'min_median_per_day') }}
        and cells.modified_z > {{ corpus_rule('usual_range', 'max_modified_z') }}
        and not exists (
            select 1 from {{ ref('stg_issues') }} as found
            where found.sha256 = cells.sha256
                and found.sheet is not distinct from cells.sheet
                and found.cell = cells.cell
                and found.code = 'implausible_value'
        )

),

found as (

    select * from overlap_issues
    union all
    select * from outlier_issues

)

select
    found.sha256,
    found.sheet,
    found.row_number,
    found.column_name,
    found.cell,
    codes.severity,
    found.code,
    {{ issue_message('codes.message_zh', 'found.sheet', 'found.row_number', 'found.cell',
                     'found.column_name', 'found.value_found', 'found.detail') }} as message,
    found.value_found,
    'corpus' as source
from found
inner join codes on codes.code = found.code
