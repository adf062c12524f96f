-- The one base every audience builds on: each account holder and channel, with
-- whether they may receive promotions as of the reference date and, if not, why.
-- The order of reasons is macros/consent_rules.sql (suppression_reason), which activation's
-- re-check renders too.
with

accounts as (

    select * from {{ ref('stg_ops__accounts') }}

),

holders as (

    select
        account_key,
        person_key,
        age_band,
        is_minor
    from {{ ref('stg_ops__insured_persons') }}
    where relationship = '本人'

),

consent as (

    select * from {{ ref('int_marketing_consent') }}

),

deletions as (

    select * from {{ ref('int_deletion_requests') }}

),

open_complaints as (

    select distinct account_key
    from {{ ref('stg_ops__service_records') }}
    where contact_kind = 'complaint' and contact_status = 'open'

),

candidates as (

    select
        accounts.account_key,
        channel.channel,
        holders.person_key,
        holders.age_band,
        coalesce(consent.has_marketing_consent, false) as has_marketing_consent,
        consent.unsubscribed_at,
        coalesce(consent.opted_out_personalised, false) as opted_out_personalised,
        {{ suppression_reason(
            deletion_status='deletions.deletion_status',
            account_status='accounts.account_status',
            is_staff_or_test='accounts.is_staff_or_test',
            has_holder='holders.person_key is not null',
            is_minor='holders.is_minor',
            has_consent_events='consent.account_key is not null',
            consent_reason='consent.consent_reason',
            opted_out_personalised='consent.opted_out_personalised',
            has_open_complaint='open_complaints.account_key is not null'
        ) }} as suppression_reason
    from accounts
    cross join (values ('wechat'), ('sms')) as channel (channel)
    left join holders on accounts.account_key = holders.account_key
    left join consent on accounts.account_key = consent.account_key and channel.channel = consent.channel
    left join open_complaints on accounts.account_key = open_complaints.account_key
    left join deletions on accounts.account_key = deletions.account_key

),

final as (

    select
        account_key,
        channel,
        person_key,
        age_band,
        suppression_reason is null as is_contactable,
        suppression_reason,
        date '{{ as_of() }}' as as_of_date
    from candidates

)

select * from final
