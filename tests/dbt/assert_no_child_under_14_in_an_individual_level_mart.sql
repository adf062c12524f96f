-- Children under 14 are sensitive (PIPL Art. 28): no individual-level mart row
-- may belong to one.
select
    'dim_customers' as mart,
    customers.person_key
from {{ ref('dim_customers') }} as customers
inner join {{ ref('int_persons') }} as persons on customers.person_key = persons.person_key
where persons.age < {{ var('min_individual_age') }}

union all

select
    'fct_policies' as mart,
    policies.person_key
from {{ ref('fct_policies') }} as policies
inner join {{ ref('int_persons') }} as persons on policies.person_key = persons.person_key
where persons.age < {{ var('min_individual_age') }}
