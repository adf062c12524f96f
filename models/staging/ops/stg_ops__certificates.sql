with

source as (

    select * from {{ source('ops', 'certificates') }}

),

renamed as (

    select
        certificate_key,
        order_key,
        person_key,
        product_name,
        plan,
        premium_yuan,
        coverage_start,
        coverage_end,
        underwriter,
        updated_at
    from source

),

final as (

    select * from renamed

)

select * from final
