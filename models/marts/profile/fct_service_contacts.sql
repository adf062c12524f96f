-- Service contacts (consultations, customer service, complaints): one row per
-- contact.  The redacted note stays in staging: free text is not a profile field.
with

records as (

    select * from {{ ref('stg_ops__service_records') }}

),

final as (

    select
        record_key,
        account_key,
        contact_kind,
        contact_channel,
        contact_status,
        opened_at,
        closed_at,
        round({{ hours_between('opened_at', 'closed_at') }}, 1) as hours_to_close,
        note_chars
    from records

)

select * from final
