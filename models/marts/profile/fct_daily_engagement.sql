-- Daily engagement: one row per account and active day.
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

per_day as (

    select
        account_key,
        activity_date,
        count(*) as page_views,
        count(distinct page) as distinct_pages,
        count(distinct device_key) as devices,
        bool_or(page like '/order/%') as visited_checkout,
        bool_or(page like '/product/%') as visited_product
    from logs
    group by account_key, activity_date

),

final as (

    select
        per_day.account_key,
        per_day.activity_date,
        per_day.page_views,
        per_day.distinct_pages,
        per_day.devices,
        per_day.visited_checkout,
        per_day.visited_product,
        main_device.device_class as main_device_class
    from per_day
    left join main_device
        on
            per_day.account_key = main_device.account_key
            and per_day.activity_date = main_device.activity_date
            and main_device.rank_of_day = 1

)

select * from final
