-- The lottery winners list as it may be published (§三.(三)): the campaign, the prize
-- and the masked login name and mobile, nothing else: no token and no date, so no
-- other released relation joins it.
with

winners as (

    select * from {{ ref('stg_ops__lottery_winners') }}

),

final as (

    select
        campaign,
        prize,
        login_name_masked,
        mobile_masked
    from winners

)

select * from final
