-- Consent coverage as of the reference date, from the one contactable-adults base: per channel,
-- how many account holders may be contacted and, for the others, how many for each suppression
-- reason (every reason of seeds/suppression_reasons.csv has its row, zero included).
with

base as (

    select * from {{ ref('fct_contactable_adults') }}

),

reasons as (

    select
        suppression_reason as status,
        precedence
    from {{ ref('suppression_reasons') }}
    union all
    select
        'contactable' as status,
        0 as precedence

),

channels as (

    select
        channel,
        count(*) as channel_holders,
        max(as_of_date) as as_of_date
    from base
    group by channel

),

counted as (

    select
        channel,
        coalesce(suppression_reason, 'contactable') as status,
        count(*) as account_holders
    from base
    group by all

),

final as (

    select
        channels.channel,
        reasons.status,
        reasons.precedence,
        coalesce(counted.account_holders, 0) as account_holders,
        round(coalesce(counted.account_holders, 0) / channels.channel_holders, 4) as share_of_channel,
        channels.as_of_date
    from channels
    cross join reasons
    left join counted on channels.channel = counted.channel and reasons.status = counted.status

)

select * from final
