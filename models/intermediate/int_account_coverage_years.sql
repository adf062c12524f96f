-- Paid coverage years per account, with the enrolment window of each year
-- (seeds/coverage_years.csv): the ground for renewal, lapse and first-year logic.
with

orders as (

    select * from {{ ref('stg_ops__orders') }}
    where order_status = 'paid'

),

years as (

    select * from {{ ref('coverage_years') }}

),

final as (

    select distinct
        orders.account_key,
        orders.coverage_year,
        years.enrolment_opens,
        years.enrolment_closes
    from orders
    inner join years on orders.coverage_year = years.coverage_year

)

select * from final
