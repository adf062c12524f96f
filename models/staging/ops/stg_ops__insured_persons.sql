with

source as (

    select * from {{ source('ops', 'insured_persons') }}

),

renamed as (

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
        updated_at
    from source

),

final as (

    select * from renamed

)

select * from final
