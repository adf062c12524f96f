-- Service contacts as released (consultations, customer service, complaints): counted
-- by month opened, kind and channel (weekly cells were mostly too small to show).  A contact is a dated event the
-- adversary may know, so no row is one contact: a cell of fewer than k accounts shows
-- no figures.  The redacted notes are released apart, one row per note and no key, in
-- fct_service_notes.
with

records as (

    select * from {{ ref('stg_ops__service_records') }}

),

calendar as (

    select * from {{ ref('calendar') }}

),

cells as (

    select
        calendar.month as opened_month,
        records.contact_kind,
        records.contact_channel,
        count(*) as contacts,
        count(*) filter (where records.contact_status = 'open') as open_contacts,
        count(distinct records.account_key) as contacting_accounts,
        avg({{ hours_between('records.opened_at', 'records.closed_at') }}) as avg_hours_to_close
    from records
    left join calendar on cast(records.opened_at as date) = calendar.date_day
    group by all

),

final as (

    select
        opened_month,
        contact_kind,
        contact_channel,
        {{ unless_small_cell('contacting_accounts', 'contacting_accounts', k_analysts()) }} as contacting_accounts,
        {{ unless_small_cell('contacts', 'contacting_accounts', k_analysts()) }} as contacts,
        {{ unless_small_cell('open_contacts', 'contacting_accounts', k_analysts()) }} as open_contacts,
        {{ unless_small_cell('round(avg_hours_to_close, 1)', 'contacting_accounts', k_analysts()) }}
            as avg_hours_to_close,
        contacting_accounts < {{ k_analysts() }} as is_suppressed
    from cells

)

select * from final
