with

source as (

    select * from {{ source('ops', 'accounts') }}

),

renamed as (

    select
        account_key,
        mobile_key,
        registered_on,
        acquisition_channel,
        account_status,
        closed_on,
        is_staff_or_test,
        updated_at
    from source

),

final as (

    select * from renamed

)

select * from final
