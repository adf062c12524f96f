-- Quarantined rows by run, source table and reason (the rows stay in the vault).
with

quarantine as (

    select * from {{ source('pipeline', 'quarantine_summary') }}

),

runs as (

    select
        run_id,
        started_at
    from {{ source('pipeline', 'runs') }}

),

final as (

    select
        quarantine.run_id,
        runs.started_at,
        quarantine.source_table,
        quarantine.reason_code,
        quarantine.quarantined_rows
    from quarantine
    left join runs on quarantine.run_id = runs.run_id

)

select * from final
