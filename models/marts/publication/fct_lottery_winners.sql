-- The lottery winners list as it may be published (§三.(三)): masked login
-- name and mobile only, no token, win date without the time.
with

winners as (

    select * from {{ ref('stg_ops__lottery_winners') }}

),

final as (

    select
        campaign,
        prize,
        cast(won_at as date) as won_date,
        login_name_masked,
        mobile_masked
    from winners

)

select * from final
