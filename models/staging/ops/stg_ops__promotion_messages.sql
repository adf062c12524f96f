with

source as (

    select * from {{ source('ops', 'promotion_messages') }}

),

renamed as (

    select
        account_key,
        channel,
        message_kind,
        campaign,
        sent_at,
        updated_at
    from source

),

final as (

    select * from renamed

)

select * from final
