-- Promotional consent per account and channel as of the reference date, and why it fails.
-- Rules (the platform's policy: §二.4(4) 退订, §七 minors, PIPL Art. 24):
--   * only events at or before the reference date count; the latest one decides, and a grant
--     and a revocation at the same instant is a revocation;
--   * a grant counts for promotion only when its purpose is promotion; a grant for another
--     purpose (service notices…) never licenses promotion (wrong_purpose). A revocation for
--     promotion, or one naming no purpose, ends the promotional grant;
--   * a grant the holder gave while under 18 counts only with a guardian's consent in force at
--     that moment (the latest guardian event for the holder at or before it is a grant);
--     turning 18 does not validate it: the adult consents again (consent_given_as_minor);
--   * a personalised-marketing opt-out applies to every channel.
-- The reason itself is macros/consent_rules.sql (consent_reason), shared with activation.
with

events as (

    select * from {{ ref('stg_ops__consent_events') }}
    where occurred_at < date '{{ as_of() }}' + interval 1 day

),

holders as (

    select
        account_key,
        person_key
    from {{ ref('stg_ops__insured_persons') }}
    where relationship = '本人'

),

channels as (

    select distinct
        account_key,
        channel
    from events
    where scope = 'marketing'

),

latest_promotion as (

    select
        account_key,
        channel,
        consent_status,
        occurred_at,
        coalesce(given_as_minor, false) as given_as_minor
    from events
    where
        scope = 'marketing'
        and (purpose = 'promotion' or (purpose is null and consent_status = 'revoked'))
    qualify row_number() over (
        partition by account_key, channel
        order by occurred_at desc, consent_status = 'revoked' desc
    ) = 1

),

guardian_at_grant as (

    select
        latest_promotion.account_key,
        latest_promotion.channel,
        guardian.consent_status = 'granted' as guardian_consent_in_force
    from latest_promotion
    inner join holders on latest_promotion.account_key = holders.account_key
    inner join events as guardian
        on
            holders.person_key = guardian.person_key
            and guardian.scope = 'guardian'
            and latest_promotion.occurred_at >= guardian.occurred_at
    where latest_promotion.given_as_minor
    qualify row_number() over (
        partition by latest_promotion.account_key, latest_promotion.channel
        order by guardian.occurred_at desc, guardian.consent_status = 'revoked' desc
    ) = 1

),

other_purpose_grants as (

    select distinct
        account_key,
        channel
    from events
    where scope = 'marketing' and purpose <> 'promotion'
    qualify
        row_number() over (
            partition by account_key, channel, purpose
            order by occurred_at desc, consent_status = 'revoked' desc
        ) = 1
        and consent_status = 'granted'

),

latest_personalised as (

    select
        account_key,
        consent_status
    from events
    where scope = 'personalised_marketing'
    qualify row_number() over (
        partition by account_key
        order by occurred_at desc, consent_status = 'revoked' desc
    ) = 1

),

judged as (

    select
        channels.account_key,
        channels.channel,
        latest_promotion.consent_status,
        latest_promotion.occurred_at,
        {{ consent_reason(
            status='latest_promotion.consent_status',
            given_as_minor='latest_promotion.given_as_minor',
            guardian_in_force='guardian_at_grant.guardian_consent_in_force',
            has_other_purpose_grant='other_purpose_grants.account_key is not null'
        ) }} as consent_reason,
        coalesce(latest_personalised.consent_status = 'revoked', false) as opted_out_personalised
    from channels
    left join latest_promotion
        on channels.account_key = latest_promotion.account_key and channels.channel = latest_promotion.channel
    left join guardian_at_grant
        on channels.account_key = guardian_at_grant.account_key and channels.channel = guardian_at_grant.channel
    left join other_purpose_grants
        on channels.account_key = other_purpose_grants.account_key and channels.channel = other_purpose_grants.channel
    left join latest_personalised on channels.account_key = latest_personalised.account_key

),

final as (

    select
        account_key,
        channel,
        consent_reason is null as has_marketing_consent,
        consent_reason,
        case when consent_reason is null then occurred_at end as consent_since,
        case when consent_status = 'revoked' then occurred_at end as unsubscribed_at,
        opted_out_personalised
    from judged

)

select * from final
