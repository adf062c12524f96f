with

source as (

    select * from {{ source('ops', 'service_records') }}

),

renamed as (

    select
        record_key,
        account_key,
        contact_kind,
        contact_channel,
        contact_status,
        opened_at,
        closed_at,
        note_redacted,
        note_chars,
        updated_at
    from source

),

final as (

    select * from renamed

)

select * from final
