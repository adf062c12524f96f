with

source as (

    select * from {{ source('ops', 'health_answers') }}

),

renamed as (

    select
        person_key,
        city,
        medical_insurance_type,
        pre_existing_conditions,
        has_pre_existing_condition,
        answered_on,
        updated_at
    from source

),

final as (

    select * from renamed

)

select * from final
