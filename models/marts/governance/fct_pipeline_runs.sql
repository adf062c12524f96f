-- Pipeline run log with reconciliation: every source row is loaded, quarantined, or withheld
-- (an erased person the source still holds, or a record under legal hold).
with

runs as (

    select * from {{ source('pipeline', 'runs') }}

),

reconciliation as (

    select
        run_id,
        cast(sum(source_rows) as bigint) as source_rows,
        cast(sum(loaded_rows) as bigint) as loaded_rows,
        cast(sum(quarantined_rows) as bigint) as quarantined_rows,
        cast(sum(withheld_rows) as bigint) as withheld_rows,
        bool_and(source_rows = loaded_rows + quarantined_rows + withheld_rows) as reconciles
    from {{ source('pipeline', 'reconciliation') }}
    group by run_id

),

final as (

    select
        runs.run_id,
        runs.started_at,
        runs.as_of_date,
        runs.source_kind,
        runs.key_version,
        reconciliation.source_rows,
        reconciliation.loaded_rows,
        reconciliation.quarantined_rows,
        reconciliation.withheld_rows,
        reconciliation.reconciles,
        runs.started_at = max(runs.started_at) over () as is_latest_run
    from runs
    left join reconciliation on runs.run_id = reconciliation.run_id

)

select * from final
