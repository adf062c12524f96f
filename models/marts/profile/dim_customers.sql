-- 用户画像 as released: one row per person aged 14+, no token.  dbt builds it at the
-- finest level; the re-identification gate (anonymizer/risk.py) then rewrites it from
-- int_customer_profile generalised and suppressed so that every class holds k people.
with

profile as (

    select * from {{ ref('int_customer_profile') }}

),

final as (

    select
        age_band,
        sex,
        city_name,
        district_name,
        id_type,
        registered_period,
        customer_role,
        is_covered_this_year,
        is_covered_next_year,
        acquisition_channel,
        active_days_30d,
        active_days_90d,
        main_device_class,
        has_open_complaint,
        is_staff_or_test
    from profile

)

select * from final
