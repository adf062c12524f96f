-- Accounts whose holder asked to be deleted (§八), as of the reference date: a deletion the
-- operational system completed (deleted; the run erases the person, this is the belt to that
-- brace), or a deletion or account cancellation still open (deletion_pending). A request
-- answered after the reference date was still open then; a rejected one changes nothing.
with

requests as (

    select * from {{ ref('stg_ops__subject_requests') }}
    where
        request_kind in ('delete', 'cancel_account')
        and received_at < date '{{ as_of() }}' + interval 1 day

),

judged as (

    select
        account_key,
        case
            when
                request_kind = 'delete'
                and request_status = 'done'
                and responded_at < date '{{ as_of() }}' + interval 1 day
                then 'deleted'
            when
                request_status = 'open'
                or (
                    request_status = 'done'
                    and coalesce(responded_at >= date '{{ as_of() }}' + interval 1 day, true)
                )
                then 'deletion_pending'
        end as deletion_status
    from requests

),

final as (

    select
        account_key,
        -- one account, several requests: a completed deletion outranks a pending one
        min(deletion_status) as deletion_status
    from judged
    where deletion_status is not null
    group by account_key

)

select * from final
