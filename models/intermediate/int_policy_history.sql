-- Policy holdings and history before release: one row per insurance certificate
-- (person × coverage year) of a person aged 14+, with the person token as the gate's
-- ground truth, the insured person's age band, sex and city, the premium band and
-- payment method, and whether they renewed or lapsed the following year.  The
-- re-identification gate writes fct_policies from it; it stays in the build database.
with

held as (

    select
        person_key,
        count(*) as n_certificates
    from {{ ref('stg_ops__certificates') }}
    group by person_key

),

persons as (

    -- children under 14 are sensitive (PIPL Art. 28): their cover only in agg_children_coverage;
    -- the region is recoded once per person, weighted by the certificates (rows) they hold here
    select
        persons.person_key,
        persons.age_band,
        persons.sex,
        {{ released_region('city', "coalesce(persons.district_name, '未知')", "coalesce(persons.city_name, '未知')",
            'persons.province_name', rows='sum(held.n_certificates)') }} as city_name
    from {{ ref('int_persons') }} as persons
    inner join held on persons.person_key = held.person_key
    where persons.age >= {{ var('min_individual_age') }}

),

certificates as (

    select
        certificates.*,
        persons.age_band,
        persons.sex,
        persons.city_name
    from {{ ref('stg_ops__certificates') }} as certificates
    inner join persons on certificates.person_key = persons.person_key

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
        -- ground truth: never released
        history.person_key,
        history.certificate_key,
        -- what the adversary knows: the person, their products and plans each year, how they paid
        history.age_band,
        history.sex,
        history.city_name,
        history.coverage_year,
        history.product_name,
        history.plan,
        bands.premium_band,
        coalesce(paid.payment_method, '未知') as payment_method,
        coalesce(history.previous_year = history.coverage_year - 1, false) as is_renewal,
        case
            when history.next_year = history.coverage_year + 1 then 'renewed'
            when
                next_window.enrolment_closes is null
                or date '{{ as_of() }}' <= next_window.enrolment_closes then 'pending'
            else 'lapsed'
        end as next_year_outcome,
        -- follows from the product
        history.underwriter
    from history
    inner join orders on history.order_key = orders.order_key
    left join paid on history.order_key = paid.order_key
    left join bands on history.premium_yuan between bands.min_yuan and bands.max_yuan
    left join years as next_window on next_window.coverage_year = history.coverage_year + 1

)

select * from final
