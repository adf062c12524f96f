-- Marketing consent per account and channel as of the reference date: the
-- latest grant or revocation at or before it wins (退订 ends a grant), and a
-- personalised-marketing opt-out (PIPL Art. 24) applies to every channel.
-- A grant and a revocation at the same instant: the revocation wins.
with

events as (

    select * from {{ ref('stg_ops__consent_events') }}
    where occurred_at < date '{{ var("as_of") }}' + interval 1 day

),

channels as (

    select distinct
        account_key,
        channel
    from events
    where scope = 'marketing'

),

latest_marketing as (

    select
        account_key,
        channel,
        consent_status,
        occurred_at
    from events
    where scope = 'marketing'
    qualify row_number() over (
        partition by account_key, channel
        order by occurred_at desc, consent_status = 'revoked' desc
    ) = 1

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

final as (

    select
        channels.account_key,
        channels.channel,
        latest_marketing.consent_status = 'granted' as has_marketing_consent,
        case when latest_marketing.consent_status = 'granted' then latest_marketing.occurred_at end as consent_since,
        case when latest_marketing.consent_status = 'revoked' then latest_marketing.occurred_at end as unsubscribed_at,
        coalesce(latest_personalised.consent_status = 'revoked', false) as opted_out_personalised
    from channels
    inner join latest_marketing
        on channels.account_key = latest_marketing.account_key and channels.channel = latest_marketing.channel
    left join latest_personalised on channels.account_key = latest_personalised.account_key

)

select * from final
