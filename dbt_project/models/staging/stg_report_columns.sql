-- raw.report_columns as the loader typed it (sources.yml declares the types).
select * from {{ source('raw', 'report_columns') }}
