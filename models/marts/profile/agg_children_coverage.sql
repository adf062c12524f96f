-- Children under 14 are sensitive personal information (PIPL Art. 28): they
-- appear only here, counted by city, age band and sex with their cover this
-- year, every cell smaller than var('min_cell_size') suppressed.
with

persons as (

    select * from {{ ref('int_persons') }}
    where age < {{ var('min_individual_age') }}

),

coverage as (

    select * from {{ ref('int_person_coverage') }}

),

-- cities with fewer children than a cell may hold are pooled as 其他 (generalise, then suppress)
cities as (

    select
        coalesce(city_name, '未知') as city_name,
        case when count(*) >= {{ var('min_cell_size') }} then coalesce(city_name, '未知') else '其他' end as city_group
    from persons
    group by coalesce(city_name, '未知')

),

cells as (

    select
        cities.city_group as city_name,
        persons.age_band,
        persons.sex,
        coalesce(coverage.is_covered_this_year, false) as is_covered_this_year,
        count(*) as children
    from persons
    inner join cities on coalesce(persons.city_name, '未知') = cities.city_name
    left join coverage on persons.person_key = coverage.person_key
    group by all

),

final as (

    select
        city_name,
        age_band,
        sex,
        is_covered_this_year,
        case when children >= {{ var('min_cell_size') }} then children end as children,
        children < {{ var('min_cell_size') }} as is_suppressed
    from cells

)

select * from final
