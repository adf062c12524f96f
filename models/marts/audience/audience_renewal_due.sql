-- Renewal due: contactable adults whose household is covered this year and has
-- not yet enrolled for next year, while next year's enrolment window is open
-- (the rule itself lives in fct_audience_features).
with

base as (

    select * from {{ ref('fct_contactable_adults') }}
    where is_contactable

),

features as (

    select * from {{ ref('fct_audience_features') }}
    where is_renewal_due

),

final as (

    select
        base.account_key,
        base.channel,
        base.age_band,
        base.as_of_date
    from base
    inner join features on base.account_key = features.account_key

)

select * from final
