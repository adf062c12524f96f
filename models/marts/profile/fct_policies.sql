-- Policy holdings and history: one row per insurance certificate (person ×
-- coverage year), with the order's premium band and payment method, and
-- whether the person renewed or lapsed the following year.
with

certificates as (

    -- children under 14 are sensitive (PIPL Art. 28): their cover only in agg_children_coverage
    select certificates.*
    from {{ ref('stg_ops__certificates') }} as certificates
    inner join {{ ref('int_persons') }} as persons on certificates.person_key = persons.person_key
    where persons.age >= {{ var('min_individual_age') }}

),

orders as (

    select * from {{ ref('stg_ops__orders') }}

),

paid as (

    select
        order_key,
        payment_method
    from {{ ref('stg_ops__payments') }}
    where payment_status = 'success'
    qualify row_number() over (partition by order_key order by paid_at desc, attempt desc) = 1

),

bands as (

    select * from {{ ref('premium_bands') }}

),

years as (

    select * from {{ ref('coverage_years') }}

),

history as (

    select
        certificates.*,
        cast(year(certificates.coverage_start) as bigint) as coverage_year,
        lag(cast(year(certificates.coverage_start) as bigint)) over (
            partition by certificates.person_key order by certificates.coverage_start asc nulls last
        ) as previous_year,
        lead(cast(year(certificates.coverage_start) as bigint)) over (
            partition by certificates.person_key order by certificates.coverage_start asc nulls last
        ) as next_year
    from certificates

),

final as (

    select
        history.certificate_key,
        history.person_key,
        orders.account_key,
        history.order_key,
        history.coverage_year,
        history.product_name,
        history.plan,
        history.underwriter,
        history.premium_yuan,
        bands.premium_band,
        orders.amount_yuan as order_amount_yuan,
        paid.payment_method,
        history.coverage_start,
        history.coverage_end,
        coalesce(history.previous_year = history.coverage_year - 1, false) as is_renewal,
        case
            when history.next_year = history.coverage_year + 1 then 'renewed'
            when
                next_window.enrolment_closes is null
                or date '{{ var("as_of") }}' <= next_window.enrolment_closes then 'pending'
            else 'lapsed'
        end as next_year_outcome
    from history
    inner join orders on history.order_key = orders.order_key
    left join paid on history.order_key = paid.order_key
    left join bands on history.premium_yuan between bands.min_yuan and bands.max_yuan
    left join years as next_window on next_window.coverage_year = history.coverage_year + 1

)

select * from final
