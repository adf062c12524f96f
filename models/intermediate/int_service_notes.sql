-- Service notes before release: one row per service contact with a redacted note
-- (consultations, customer service, complaints), with the account token as the gate's
-- ground truth and the month opened, kind and channel at their finest level.  The
-- re-identification gate writes fct_service_notes from it; it stays in the build database.
-- The note was redacted in pseudonymisation (anonymizer/redact.py): names, ID numbers,
-- mobiles, e-mails, cards, addresses and OpenIDs are typed placeholders such as 〔姓名〕.
with

records as (

    select * from {{ ref('stg_ops__service_records') }}
    where
        opened_at < date '{{ as_of() }}' + interval 1 day
        and note_redacted is not null
        and trim(note_redacted) <> ''

),

applicants as (

    select
        account_key,
        age_band
    from {{ ref('stg_ops__insured_persons') }}
    where relationship = '本人'
    qualify row_number() over (partition by account_key order by person_key) = 1

),

calendar as (

    select * from {{ ref('calendar') }}

),

final as (

    select
        -- ground truth: never released
        records.record_key,
        records.account_key,
        -- what the adversary knows: a dated service contact, its kind and channel
        calendar.month as opened_month,
        records.contact_kind,
        records.contact_channel,
        -- the text, redacted
        records.note_redacted
    from records
    -- a day outside the calendar seed fails the not_null test on opened_month, never drops a note
    left join calendar on cast(records.opened_at as date) = calendar.date_day
    left join applicants on records.account_key = applicants.account_key
    -- an account whose applicant is under 14 is left out (PIPL Art. 28), as in dim_households
    where applicants.age_band is null or applicants.age_band <> '0-13'

)

select * from final
