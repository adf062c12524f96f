-- Health answers (医保参保类型, 既往症) are sensitive (PIPL Art. 28): this is
-- the only mart they reach, aggregated, with every cell smaller than
-- var('min_cell_size') suppressed (count and share set to null).
with

answers as (

    select * from {{ ref('stg_ops__health_answers') }}

),

persons as (

    select * from {{ ref('int_persons') }}

),

bands as (

    select * from {{ ref('age_bands') }}

),

-- cities with fewer respondents than a cell may hold are pooled as 其他 (generalise, then suppress)
cities as (

    select
        city,
        case when count(distinct person_key) >= {{ var('min_cell_size') }} then city else '其他' end as city_group
    from answers
    group by city

),

cells as (

    select
        cities.city_group as city,
        bands.age_band_broad,
        persons.sex,
        answers.medical_insurance_type,
        answers.has_pre_existing_condition,
        count(distinct answers.person_key) as persons
    from answers
    inner join cities on answers.city = cities.city
    inner join persons on answers.person_key = persons.person_key
    inner join bands on persons.age_band = bands.age_band
    group by all

),

final as (

    select
        city,
        age_band_broad,
        sex,
        medical_insurance_type,
        has_pre_existing_condition,
        case when persons >= {{ var('min_cell_size') }} then persons end as persons,
        persons < {{ var('min_cell_size') }} as is_suppressed
    from cells

)

select * from final
