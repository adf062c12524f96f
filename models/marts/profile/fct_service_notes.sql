-- Service notes as released (complaints, consultations, customer-service contacts): one
-- row per note, redacted, with the month opened, kind and channel only: no token, no
-- record or account key, so a note joins no profile.  The re-identification gate rewrites
-- it from int_service_notes generalised, and withholds the notes of classes of fewer than
-- k accounts.
with

notes as (

    select * from {{ ref('int_service_notes') }}

),

final as (

    select
        opened_month,
        contact_kind,
        contact_channel,
        note_redacted
    from notes

)

select * from final
