-- Consent coverage by channel as of the reference date, from the one
-- contactable-adults base: how many account holders may be contacted, and why
-- the others may not.
with

base as (

    select * from {{ ref('fct_contactable_adults') }}

),

final as (

    select
        channel,
        count(*) as account_holders,
        count(*) filter (where is_contactable) as contactable,
        round(count(*) filter (where is_contactable) / count(*), 4) as contactable_share,
        count(*) filter (where suppression_reason = 'unsubscribed') as unsubscribed,
        count(*) filter (where suppression_reason = 'no_marketing_consent') as no_marketing_consent,
        count(*) filter (where suppression_reason = 'opted_out_personalised_marketing') as opted_out_personalised,
        count(*) filter (where suppression_reason = 'minor') as minors,
        count(
            *) filter (
            where suppression_reason not in
            ('unsubscribed', 'no_marketing_consent', 'opted_out_personalised_marketing', 'minor')
        ) as other_suppressed,
        max(as_of_date) as as_of_date
    from base
    group by channel

)

select * from final
