-- Daily engagement as released: active accounts per day and main device class.  A visit
-- day is something the adversary may know, so no row is one account: a cell of fewer
-- than k accounts shows no figures.
with

logs as (

    select
        *,
        cast(occurred_at as date) as activity_date
    from {{ ref('stg_ops__access_logs') }}

),

device_views as (

    select
        account_key,
        activity_date,
        device_class,
        count(*) as page_views
    from logs
    where device_class is not null
    group by account_key, activity_date, device_class

),

main_device as (

    -- the day's most used device class; ties go to the first by name, so every engine agrees
    select
        account_key,
        activity_date,
        device_class,
        row_number() over (
            partition by account_key, activity_date order by page_views desc, device_class asc
        ) as rank_of_day
    from device_views

),

per_account_day as (

    select
        account_key,
        activity_date,
        count(*) as page_views,
        bool_or(page like '/order/%') as visited_checkout,
        bool_or(page like '/product/%') as visited_product
    from logs
    group by account_key, activity_date

),

cells as (

    select
        per_account_day.activity_date,
        coalesce(main_device.device_class, 'unknown') as main_device_class,
        count(*) as active_accounts,
        cast(sum(per_account_day.page_views) as bigint) as page_views,
        count(*) filter (where per_account_day.visited_checkout) as accounts_at_checkout,
        count(*) filter (where per_account_day.visited_product) as accounts_on_products
    from per_account_day
    left join main_device
        on
            per_account_day.account_key = main_device.account_key
            and per_account_day.activity_date = main_device.activity_date
            and main_device.rank_of_day = 1
    group by all

),

final as (

    select
        activity_date,
        main_device_class,
        {{ unless_small_cell('active_accounts', 'active_accounts', k_analysts()) }} as active_accounts,
        {{ unless_small_cell('page_views', 'active_accounts', k_analysts()) }} as page_views,
        {{ unless_small_cell('accounts_at_checkout', 'active_accounts', k_analysts()) }} as accounts_at_checkout,
        {{ unless_small_cell('accounts_on_products', 'active_accounts', k_analysts()) }} as accounts_on_products,
        active_accounts < {{ k_analysts() }} as is_suppressed
    from cells

)

select * from final
