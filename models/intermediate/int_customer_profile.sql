-- 用户画像 before release: one row per person (aged 14+) with the person token, every
-- column of dim_customers at its finest level.  The re-identification gate generalises
-- and suppresses this and writes dim_customers from it; it stays in the build database
-- as the gate's ground truth.
with

persons as (

    -- children under 14 are sensitive (PIPL Art. 28): only in agg_children_coverage
    select * from {{ ref('int_persons') }}
    where age >= {{ var('min_individual_age') }}

),

coverage as (

    select * from {{ ref('int_person_coverage') }}

),

engagement as (

    select * from {{ ref('int_account_engagement') }}

),

service as (

    select * from {{ ref('int_account_service') }}

),

final as (

    select
        -- ground truth: never released
        persons.person_key,

        -- what the adversary knows (quasi-identifiers, generalised by the gate)
        persons.age_band,
        persons.sex,
        {{ released_region('city', "coalesce(persons.district_name, '未知')", "coalesce(persons.city_name, '未知')",
            'persons.province_name') }} as city_name,
        {{ released_region('district', "coalesce(persons.district_name, '未知')", "coalesce(persons.city_name, '未知')",
            'persons.province_name') }} as district_name,
        persons.id_type,
        cast(persons.registered_on as {{ dbt.type_string() }}) as registered_period,
        case
            when persons.is_policyholder and persons.acquisition_channel = '企业团单' then 'group_member'
            when persons.is_policyholder then 'policyholder'
            else 'family_member'
        end as customer_role,
        coalesce(coverage.is_covered_this_year, false) as is_covered_this_year,
        coalesce(coverage.is_covered_next_year, false) as is_covered_next_year,

        -- attributes the adversary does not know
        persons.acquisition_channel,
        coalesce(engagement.active_days_30d, 0) as active_days_30d,
        coalesce(engagement.active_days_90d, 0) as active_days_90d,
        coalesce(engagement.main_device_class, 'unknown') as main_device_class,
        coalesce(service.has_open_complaint, false) as has_open_complaint,
        persons.is_staff_or_test

    from persons
    left join coverage on persons.person_key = coverage.person_key
    left join engagement on persons.account_key = engagement.account_key
    left join service on persons.account_key = service.account_key

)

select * from final
