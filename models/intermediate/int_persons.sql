-- One row per pseudonymous person, whichever account(s) insure them: the
-- policyholder's own row wins, so a person is a policyholder if any account
-- holds them as 本人.
with

persons as (

    select * from {{ ref('stg_ops__insured_persons') }}

),

accounts as (

    select * from {{ ref('stg_ops__accounts') }}

),

ranked as (

    select
        persons.*,
        accounts.registered_on,
        accounts.acquisition_channel,
        accounts.account_status,
        accounts.is_staff_or_test,
        bool_or(persons.relationship = '本人') over (partition by persons.person_key) as is_policyholder,
        count(*) over (partition by persons.person_key) as n_accounts,
        row_number() over (
            partition by persons.person_key
            order by (persons.relationship = '本人') desc, persons.created_on asc nulls last, persons.account_key asc
        ) as rn
    from persons
    inner join accounts on persons.account_key = accounts.account_key

),

final as (

    select
        person_key,
        account_key,
        relationship,
        id_type,
        sex,
        declared_sex_matches,
        declared_birthday_matches,
        age,
        age_band,
        is_minor,
        district_code,
        district_name,
        city_code,
        city_name,
        province_code,
        province_name,
        created_on,
        updated_at,
        registered_on,
        acquisition_channel,
        account_status,
        is_staff_or_test,
        is_policyholder,
        n_accounts
    from ranked
    where rn = 1

)

select * from final
