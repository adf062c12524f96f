with

source as (

    select * from {{ source('ops', 'subject_requests') }}

),

renamed as (

    select
        request_key,
        account_key,
        request_kind,
        received_at,
        verified_at,
        responded_at,
        request_status,
        updated_at
    from source

),

final as (

    select * from renamed

)

select * from final
