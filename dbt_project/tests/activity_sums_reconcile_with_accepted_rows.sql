-- Shown in Dagster as a check of mart_capacity_trend, the mart it reconciles.
{{ config(meta={'dagster': {'ref': {'name': 'mart_capacity_trend'}}}) }}

-- The yearly activity sums of mart_capacity_trend, recomputed without the intermediate
-- models: winning reports re-ranked from the files ingest_files counts, accepted rows
-- re-derived from the issues, and each period's share found by counting its days.
-- Returns every (pair, metric, year) where the two disagree.
with counting_files as (

    select file_path, sha256, modified_at
    from {{ ref('ingest_files') }}
    where status in ('accepted', 'partial')

),

ranked_reports as (

    select
        reports.*,
        row_number() over (
            partition by reports.supporting_hospital, reports.recipient_hospital, reports.department,
                reports.period_start, reports.period_end
            order by files.modified_at desc, {{ byte_order('files.file_path') }} desc, reports.sheet_index desc,
                reports.header_row desc
        ) as rank_in_identity
    from {{ source('raw', 'reports') }} as reports
    inner join counting_files as files on files.sha256 = reports.sha256
    where reports.form_type = 'activity'

),

winners as (

    select * from ranked_reports where rank_in_identity = 1

),

days as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('first_year') ~ "-01-01' as date)",
        "cast('" ~ (var('last_year') + 1) ~ "-01-01' as date)"
    ) }}

),

shares as (

    select
        winners.report_id,
        extract(year from days.date_day) as year,
        cast(count(*) as double precision)
            / ({{ dbt.datediff('min(winners.period_start)', 'min(winners.period_end)', 'day') }} + 1) as share
    from winners
    inner join days on days.date_day between winners.period_start and winners.period_end
    group by winners.report_id, extract(year from days.date_day)

),

rejected_rows as (

    select distinct sha256, sheet, row_number, cell
    from {{ source('raw', 'issues') }}
    where severity = 'error' and row_number is not null

),

-- The cells of each report's rows: on a sheet with tables side by side, a row number is in
-- each table, and an error's cell says whose row it rejects.
report_cells as (

    select report_id, sha256, row_number, cell from {{ source('raw', 'activity_values') }}
    union all
    select report_id, sha256, row_number, name_cell from {{ source('raw', 'activity_rows') }}
    where name_cell is not null

),

accepted_rows as (

    select person_rows.report_id, person_rows.row_number
    from {{ source('raw', 'activity_rows') }} as person_rows
    where person_rows.row_kind = 'person'
        and not exists (
            select 1
            from rejected_rows
            where rejected_rows.sha256 = person_rows.sha256
                and rejected_rows.sheet is not distinct from person_rows.sheet
                and rejected_rows.row_number = person_rows.row_number
                and (
                    rejected_rows.cell is null
                    or rejected_rows.cell in (
                        select cell from report_cells
                        where report_cells.report_id = person_rows.report_id
                    )
                    or rejected_rows.cell not in (
                        select cell from report_cells
                        where report_cells.sha256 = person_rows.sha256
                    )
                )
        )

),

has_column as (

    select distinct report_id, metric_code from {{ source('raw', 'report_columns') }}

),

-- Values the form states directly, plus total_visits from its two parts where it has no total.
row_values as (

    select cells.report_id, cells.row_number, cells.metric_code, cells.value
    from {{ source('raw', 'activity_values') }} as cells
    inner join {{ ref('metrics') }} as metrics
        on metrics.metric_code = cells.metric_code and metrics.kind = 'activity'

    union all

    select outpatient.report_id, outpatient.row_number, 'total_visits', outpatient.value + emergency.value
    from {{ source('raw', 'activity_values') }} as outpatient
    inner join {{ source('raw', 'activity_values') }} as emergency
        on emergency.report_id = outpatient.report_id
        and emergency.row_number = outpatient.row_number
        and emergency.metric_code = 'emergency_visits'
    where outpatient.metric_code = 'outpatient_visits'
        and not exists (
            select 1 from has_column
            where has_column.report_id = outpatient.report_id and has_column.metric_code = 'total_visits'
        )

),

collected as (

    select report_id, metric_code from row_values
    union
    select has_column.report_id, has_column.metric_code
    from has_column
    inner join {{ ref('metrics') }} as metrics
        on metrics.metric_code = has_column.metric_code and metrics.kind = 'activity'

),

expected as (

    select
        winners.supporting_hospital,
        winners.recipient_hospital,
        collected.metric_code,
        shares.year,
        coalesce(sum(row_values.value * shares.share), 0) as value
    from winners
    inner join shares on shares.report_id = winners.report_id
    inner join collected on collected.report_id = winners.report_id
    left join accepted_rows on accepted_rows.report_id = winners.report_id
    left join row_values
        on row_values.report_id = accepted_rows.report_id
        and row_values.row_number = accepted_rows.row_number
        and row_values.metric_code = collected.metric_code
    group by 1, 2, 3, 4

),

actual as (

    select supporting_hospital, recipient_hospital, metric_code, year, value
    from {{ ref('mart_capacity_trend') }}
    where kind = 'activity' and value is not null

)

select
    coalesce(expected.supporting_hospital, actual.supporting_hospital) as supporting_hospital,
    coalesce(expected.recipient_hospital, actual.recipient_hospital) as recipient_hospital,
    coalesce(expected.metric_code, actual.metric_code) as metric_code,
    coalesce(expected.year, actual.year) as year,
    expected.value as expected_value,
    actual.value as actual_value
from expected
full outer join actual
    on actual.supporting_hospital = expected.supporting_hospital
    and actual.recipient_hospital = expected.recipient_hospital
    and actual.metric_code = expected.metric_code
    and actual.year = expected.year
where expected.value is null
    or actual.value is null
    or abs(expected.value - actual.value) > 1e-9 * greatest(1, abs(expected.value))
