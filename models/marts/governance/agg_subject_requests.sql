-- Subject requests (§八) against the 30-day response SLA, counted from identity
-- verification (or receipt, while unverified), by month received, kind and status.
-- A request is a dated event about one person, so no row is one request: a cell of
-- fewer than k requests shows no figures.  The privacy officer answers a single
-- request from the vault (`yihui subject …`), not from the release.
with

requests as (

    select
        *,
        cast(coalesce(verified_at, received_at) as date) + {{ var('subject_request_sla_days') }} as due_on
    from {{ ref('stg_ops__subject_requests') }}

),

calendar as (

    select * from {{ ref('calendar') }}

),

cells as (

    select
        calendar.month as received_month,
        requests.request_kind,
        requests.request_status,
        count(*) as requests,
        count(*) filter (where cast(requests.responded_at as date) <= requests.due_on) as responded_within_sla,
        count(*) filter (
            where requests.responded_at is null and date '{{ as_of() }}' > requests.due_on
        ) as overdue,
        avg(
            {{ dbt.datediff('coalesce(requests.verified_at, requests.received_at)', 'requests.responded_at', 'day') }}
        ) as avg_days_to_respond
    from requests
    left join calendar on cast(requests.received_at as date) = calendar.date_day
    group by all

),

final as (

    select
        received_month,
        request_kind,
        request_status,
        {{ unless_small_cell('requests', 'requests', k_analysts()) }} as requests,
        {{ unless_small_cell('responded_within_sla', 'requests', k_analysts()) }} as responded_within_sla,
        {{ unless_small_cell('overdue', 'requests', k_analysts()) }} as overdue,
        {{ unless_small_cell('round(avg_days_to_respond, 1)', 'requests', k_analysts()) }} as avg_days_to_respond,
        requests < {{ k_analysts() }} as is_suppressed
    from cells

)

select * from final
