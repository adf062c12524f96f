-- Daily engagement: one row per account and active day.
with

logs as (

    select * from {{ ref('stg_ops__access_logs') }}

),

final as (

    select
        account_key,
        cast(occurred_at as date) as activity_date,
        count(*) as page_views,
        count(distinct page) as distinct_pages,
        count(distinct device_key) as devices,
        bool_or(page like '/order/%') as visited_checkout,
        bool_or(page like '/product/%') as visited_product,
        mode(device_class) as main_device_class
    from logs
    group by account_key, cast(occurred_at as date)

)

select * from final
