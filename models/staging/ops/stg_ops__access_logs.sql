with

source as (

    select * from {{ source('ops', 'access_logs') }}

),

renamed as (

    select
        account_key,
        occurred_at,
        ip_key,
        ip_network,
        ip_city_code,
        ip_city_name,
        cookie_key,
        device_key,
        device_model,
        device_class,
        os,
        page,
        updated_at
    from source

),

final as (

    select * from renamed

)

select * from final
