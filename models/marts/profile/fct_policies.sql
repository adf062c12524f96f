-- Policy holdings as released: one row per certificate of a person aged 14+, no token,
-- no certificate, order or exact amount.  The re-identification gate rewrites it from
-- int_policy_history generalised and suppressed.
with

profile as (

    select * from {{ ref('int_policy_history') }}

),

final as (

    select
        age_band,
        sex,
        city_name,
        coverage_year,
        product_name,
        plan,
        premium_band,
        payment_method,
        is_renewal,
        next_year_outcome,
        underwriter
    from profile

)

select * from final
