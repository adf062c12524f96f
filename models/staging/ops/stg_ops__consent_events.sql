with

source as (

    select * from {{ source('ops', 'consent_events') }}

),

renamed as (

    select
        account_key,
        person_key,
        scope,
        channel,
        purpose,
        consent_status,
        policy_version,
        occurred_at,
        updated_at,
        given_as_minor
    from source

),

final as (

    select * from renamed

)

select * from final
