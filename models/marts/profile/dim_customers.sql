-- 用户画像: one row per pseudonymous insured person.
with

persons as (

    select * from {{ ref('int_persons') }}

),

coverage as (

    select * from {{ ref('int_person_coverage') }}

),

final as (

    select
        -- ids
        persons.person_key,

        -- attributes (quasi-identifiers, generalised)
        persons.age_band,
        persons.sex,
        coalesce(persons.city_name, '未知') as city_name,
        coalesce(persons.district_name, '未知') as district_name,
        persons.id_type,

        -- relationship to the platform
        case when persons.is_policyholder then 'policyholder' else 'family_member' end as customer_role,
        persons.relationship,
        persons.acquisition_channel,
        date_diff('day', persons.registered_on, date '{{ var("as_of") }}') as tenure_days,

        -- coverage
        coverage.first_coverage_year,
        coverage.last_coverage_year,
        coalesce(coverage.coverage_years, 0) as coverage_years,
        coalesce(coverage.is_covered_this_year, false) as is_covered_this_year,
        coalesce(coverage.is_covered_next_year, false) as is_covered_next_year,

        -- flags
        persons.is_minor,
        persons.is_staff_or_test

    from persons
    left join coverage on persons.person_key = coverage.person_key

)

select * from final
