-- Payments: one row per payment attempt, with the order's coverage year.
with

payments as (

    select * from {{ ref('stg_ops__payments') }}

),

orders as (

    select * from {{ ref('stg_ops__orders') }}

),

final as (

    select
        payments.order_key,
        payments.attempt,
        orders.account_key,
        orders.coverage_year,
        payments.payment_method,
        payments.payment_status,
        payments.amount_yuan,
        payments.paid_at,
        cast(payments.paid_at as date) as paid_on
    from payments
    inner join orders on payments.order_key = orders.order_key

)

select * from final
