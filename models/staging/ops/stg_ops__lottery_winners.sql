with

source as (

    select * from {{ source('ops', 'lottery_winners') }}

),

renamed as (

    select
        account_key,
        campaign,
        prize,
        won_at,
        login_name_masked,
        mobile_masked,
        updated_at
    from source

),

final as (

    select * from renamed

)

select * from final
