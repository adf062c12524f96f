with

source as (

    select * from {{ source('ops', 'orders') }}

),

renamed as (

    select
        order_key,
        account_key,
        product_code,
        coverage_year,
        amount_yuan,
        order_status,
        created_at,
        updated_at
    from source

),

final as (

    select * from renamed

)

select * from final
