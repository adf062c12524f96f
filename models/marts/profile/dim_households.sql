-- Family coverage: one row per account (household), who is covered this year
-- and which relationships are not yet.
with

households as (

    select * from {{ ref('int_household_coverage') }}

),

accounts as (

    select * from {{ ref('stg_ops__accounts') }}

),

final as (

    select
        households.account_key,
        households.household_size,
        households.members_covered,
        households.members_not_covered,
        households.minors,
        households.covered_relationships,
        households.uncovered_relationships,
        households.has_uncovered_spouse,
        households.has_uncovered_children,
        households.has_uncovered_parents,
        accounts.account_status
    from households
    inner join accounts on households.account_key = accounts.account_key

)

select * from final
