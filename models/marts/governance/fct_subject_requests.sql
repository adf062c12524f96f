-- Subject requests (§八) against the 30-day response SLA, counted from
-- identity verification (or receipt, while unverified).
with

requests as (

    select * from {{ ref('stg_ops__subject_requests') }}

),

final as (

    select
        request_key,
        request_kind,
        request_status,
        received_at,
        verified_at,
        responded_at,
        cast(coalesce(verified_at, received_at) as date) + {{ var('subject_request_sla_days') }} as due_on,
        cast(
            {{ dbt.datediff('coalesce(verified_at, received_at)', 'responded_at', 'day') }} as bigint
        ) as days_to_respond,
        case
            when responded_at is not null
                then
                    cast(responded_at as date)
                    <= cast(coalesce(verified_at, received_at) as date) + {{ var('subject_request_sla_days') }}
        end as responded_within_sla,
        responded_at is null
        and date '{{ var("as_of") }}'
        > cast(coalesce(verified_at, received_at) as date) + {{ var('subject_request_sla_days') }}
            as is_overdue
    from requests

)

select * from final
