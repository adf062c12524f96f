with

source as (

    select * from {{ source('ops', 'payments') }}

),

renamed as (

    select
        order_key,
        attempt,
        payment_method,
        payment_status,
        amount_yuan,
        paid_at,
        updated_at
    from source

),

final as (

    select * from renamed

)

select * from final
