-- raw.review_actions as the loader typed it (sources.yml declares the types).
select * from {{ source('raw', 'review_actions') }}
