-- Each account's household (the people it insures) and who of them is covered
-- in the current coverage year.  The applicant (本人) is the household's adult
-- contact; members not yet covered are the "cover your family" candidates.
with

persons as (

    select * from {{ ref('stg_ops__insured_persons') }}

),

coverage as (

    select * from {{ ref('int_person_coverage') }}

),

members as (

    select
        persons.account_key,
        persons.person_key,
        persons.relationship,
        persons.is_minor,
        coalesce(coverage.is_covered_this_year, false) as is_covered_this_year
    from persons
    left join coverage on persons.person_key = coverage.person_key

),

final as (

    select
        account_key,
        count(*) as household_size,
        count(*) filter (where is_covered_this_year) as members_covered,
        count(*) filter (where not is_covered_this_year) as members_not_covered,
        count(*) filter (where is_minor) as minors,
        {{ distinct_sorted_list('relationship', 'is_covered_this_year') }} as covered_relationships,
        {{ distinct_sorted_list('relationship', 'not is_covered_this_year') }} as uncovered_relationships,
        bool_or(relationship = '配偶' and not is_covered_this_year) as has_uncovered_spouse,
        bool_or(relationship = '子女' and not is_covered_this_year) as has_uncovered_children,
        bool_or(relationship = '父母' and not is_covered_this_year) as has_uncovered_parents
    from members
    group by account_key

)

select * from final
