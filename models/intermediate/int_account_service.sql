-- Service contacts per account as of the reference date.
with

records as (

    select * from {{ ref('stg_ops__service_records') }}
    where opened_at < date '{{ as_of() }}' + interval 1 day

),

final as (

    select
        account_key,
        count(*) filter (where contact_kind = 'consultation') as consultations,
        count(*) filter (where contact_kind = 'customer_service') as service_contacts,
        count(*) filter (where contact_kind = 'complaint') as complaints,
        bool_or(contact_kind = 'complaint' and contact_status = 'open') as has_open_complaint
    from records
    group by account_key

)

select * from final
