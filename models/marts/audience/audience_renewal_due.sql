-- Renewal due: contactable adults whose household is covered this year and has
-- not yet enrolled for next year, while the enrolment window is open.
with

base as (

    select * from {{ ref('fct_contactable_adults') }}
    where is_contactable

),

orders as (

    select * from {{ ref('stg_ops__orders') }}
    where order_status = 'paid'

),

covered as (

    select
        account_key,
        bool_or(coverage_year = year(date '{{ var("as_of") }}')) as covered_this_year,
        bool_or(coverage_year = year(date '{{ var("as_of") }}') + 1) as enrolled_next_year
    from orders
    group by account_key

),

final as (

    select
        base.account_key,
        base.channel,
        base.age_band,
        base.as_of_date
    from base
    inner join covered on base.account_key = covered.account_key
    where covered.covered_this_year
      and not covered.enrolled_next_year
      and base.as_of_date >= make_date(year(base.as_of_date), 10, 15)

)

select * from final
