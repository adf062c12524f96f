-- Family coverage as released: one row per household, no token.  The
-- re-identification gate rewrites it from int_household_profile generalised and suppressed.
with

profile as (

    select * from {{ ref('int_household_profile') }}

),

final as (

    select
        city_name,
        district_name,
        household_size,
        members_covered,
        minors,
        has_uncovered_spouse,
        has_uncovered_children,
        has_uncovered_parents,
        account_status
    from profile

)

select * from final
