-- Coverage history per person from their paid certificates.
with

certificates as (

    select * from {{ ref('stg_ops__certificates') }}

),

final as (

    select
        person_key,
        min(cast(year(coverage_start) as bigint)) as first_coverage_year,
        max(cast(year(coverage_start) as bigint)) as last_coverage_year,
        count(distinct year(coverage_start)) as coverage_years,
        bool_or(year(coverage_start) = year(date '{{ as_of() }}')) as is_covered_this_year,
        bool_or(year(coverage_start) = year(date '{{ as_of() }}') + 1) as is_covered_next_year,
        sum(premium_yuan) as lifetime_premium_yuan
    from certificates
    group by person_key

)

select * from final
