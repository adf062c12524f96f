-- Which run built this release and the reference date its ages, consents and recency
-- are computed at: read by `yihui docs`, `yihui risk report` and marketing's refresh.
with

build as (

    select * from {{ source('pipeline', 'build_info') }}

),

final as (

    select
        run_id,
        cast(as_of_date as date) as as_of_date
    from build

)

select * from final
