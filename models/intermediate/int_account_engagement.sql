-- Engagement per account as of the reference date: visits (distinct active
-- days) in the last 30 and 90 days, last active day, most used device class.
with

logs as (

    select * from {{ ref('stg_ops__access_logs') }}
    where occurred_at < date '{{ as_of() }}' + interval 1 day

),

per_account as (

    select
        account_key,
        count(distinct case
            when occurred_at >= date '{{ as_of() }}' - interval 29 day
                then cast(occurred_at as date)
        end) as active_days_30d,
        count(distinct case
            when occurred_at >= date '{{ as_of() }}' - interval 89 day
                then cast(occurred_at as date)
        end) as active_days_90d,
        max(cast(occurred_at as date)) as last_active_on,
        count(*) as page_views
    from logs
    group by account_key

),

device as (

    select
        account_key,
        device_class,
        count(*) as page_views
    from logs
    group by account_key, device_class
    qualify row_number() over (partition by account_key order by page_views desc, device_class asc) = 1

),

final as (

    select
        per_account.account_key,
        per_account.active_days_30d,
        per_account.active_days_90d,
        per_account.last_active_on,
        per_account.page_views,
        device.device_class as main_device_class
    from per_account
    left join device on per_account.account_key = device.account_key

)

select * from final
