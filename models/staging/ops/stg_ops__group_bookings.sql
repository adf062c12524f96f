with

source as (

    select * from {{ source('ops', 'group_bookings') }}

),

renamed as (

    select
        booking_key,
        account_key,
        group_type,
        company_key,
        contact_key,
        contact_mobile_key,
        contact_email_key,
        headcount,
        booking_status,
        created_at,
        updated_at
    from source

),

final as (

    select * from renamed

)

select * from final
