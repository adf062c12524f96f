-- Candidate features for insurance audiences, one row per account (the adult
-- applicant is always the recipient; members, minors included, are counted
-- but never addressed).  No health column is upstream of this model.
with

accounts as (

    select * from {{ ref('stg_ops__accounts') }}

),

coverage as (

    select * from {{ ref('int_account_coverage_years') }}

),

years as (

    select * from {{ ref('coverage_years') }}

),

households as (

    select * from {{ ref('int_household_coverage') }}

),

bookings as (

    select
        account_key,
        bool_or(booking_status in ('submitted', 'contacted')) as has_open_group_booking
    from {{ ref('stg_ops__group_bookings') }}
    group by account_key

),

as_of as (

    select
        date '{{ as_of() }}' as as_of_date,
        cast(year(date '{{ as_of() }}') as bigint) as this_year

),

per_account as (

    select
        coverage.account_key,
        min(coverage.coverage_year) as first_coverage_year,
        bool_or(coverage.coverage_year = as_of.this_year) as covered_this_year,
        bool_or(coverage.coverage_year = as_of.this_year - 1) as covered_last_year,
        bool_or(coverage.coverage_year = as_of.this_year + 1) as enrolled_next_year
    from coverage
    cross join as_of
    group by coverage.account_key

),

final as (

    select
        accounts.account_key,
        coalesce(per_account.covered_this_year, false) as is_covered_this_year,
        per_account.first_coverage_year,
        -- renewal due: covered this year, not yet enrolled for next, next year's window open
        coalesce(
            per_account.covered_this_year
            and not per_account.enrolled_next_year
            and as_of.as_of_date between next_window.enrolment_opens and next_window.enrolment_closes,
            false
        ) as is_renewal_due,
        -- lapsed: covered last year, not this year, and this year's window has closed
        coalesce(
            per_account.covered_last_year
            and not per_account.covered_this_year
            and as_of.as_of_date > this_window.enrolment_closes,
            false
        ) as is_lapsed_last_year,
        coalesce(per_account.first_coverage_year = as_of.this_year, false) as is_first_year_member,
        coalesce(households.members_not_covered, 0) as family_members_not_covered,
        coalesce(households.has_uncovered_spouse, false) as has_uncovered_spouse,
        coalesce(households.has_uncovered_children, false) as has_uncovered_children,
        coalesce(households.has_uncovered_parents, false) as has_uncovered_parents,
        coalesce(bookings.has_open_group_booking, false) as is_group_booking_prospect,
        as_of.as_of_date
    from accounts
    cross join as_of
    left join per_account on accounts.account_key = per_account.account_key
    left join households on accounts.account_key = households.account_key
    left join bookings on accounts.account_key = bookings.account_key
    left join years as this_window on as_of.this_year = this_window.coverage_year
    left join years as next_window on next_window.coverage_year = as_of.this_year + 1

)

select * from final
