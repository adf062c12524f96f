-- Payments as released: counted by ISO week paid, coverage year, method and status.
-- A payment day is something the adversary may know, so no row is one payment: a cell
-- from fewer than k accounts shows no figures.
with

payments as (

    select * from {{ ref('stg_ops__payments') }}

),

orders as (

    select * from {{ ref('stg_ops__orders') }}

),

calendar as (

    select * from {{ ref('calendar') }}

),

cells as (

    select
        calendar.iso_week as paid_week,
        orders.coverage_year,
        payments.payment_method,
        payments.payment_status,
        count(*) as attempts,
        count(distinct orders.account_key) as payers,
        cast(sum(payments.amount_yuan) as decimal(18, 2)) as amount_yuan
    from payments
    inner join orders on payments.order_key = orders.order_key
    left join calendar on cast(payments.paid_at as date) = calendar.date_day
    group by all

),

final as (

    select
        paid_week,
        coverage_year,
        payment_method,
        payment_status,
        {{ unless_small_cell('payers', 'payers', k_analysts()) }} as payers,
        {{ unless_small_cell('attempts', 'payers', k_analysts()) }} as attempts,
        {{ unless_small_cell('amount_yuan', 'payers', k_analysts()) }} as amount_yuan,
        payers < {{ k_analysts() }} as is_suppressed
    from cells

)

select * from final
