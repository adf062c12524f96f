-- Family coverage before release: one row per account (household) with the account
-- token as the gate's ground truth, the applicant's (本人's) region and age band, and
-- who is covered this year.  The re-identification gate writes dim_households from it;
-- it stays in the build database.
with

households as (

    select * from {{ ref('int_household_coverage') }}

),

accounts as (

    select * from {{ ref('stg_ops__accounts') }}

),

applicants as (

    select
        account_key,
        age_band,
        coalesce(city_name, '未知') as city_name,
        coalesce(district_name, '未知') as district_name,
        province_name
    from {{ ref('stg_ops__insured_persons') }}
    where relationship = '本人'
    qualify row_number() over (partition by account_key order by person_key) = 1

),

final as (

    select
        -- ground truth: never released
        households.account_key,
        -- what the adversary knows: the applicant's ID-card region and the household's composition
        {{ released_region('city', "coalesce(applicants.district_name, '未知')",
            "coalesce(applicants.city_name, '未知')", 'applicants.province_name') }} as city_name,
        {{ released_region('district', "coalesce(applicants.district_name, '未知')",
            "coalesce(applicants.city_name, '未知')", 'applicants.province_name') }} as district_name,
        households.household_size,
        households.members_covered,
        households.minors,
        households.has_uncovered_spouse,
        households.has_uncovered_children,
        households.has_uncovered_parents,
        -- not known to the adversary
        accounts.account_status
    from households
    inner join accounts on households.account_key = accounts.account_key
    left join applicants on households.account_key = applicants.account_key
    -- an account whose applicant is under 14 is left out (PIPL Art. 28): such households
    -- are counted only in agg_children_coverage
    where applicants.age_band is null or applicants.age_band <> '0-13'

)

select * from final
