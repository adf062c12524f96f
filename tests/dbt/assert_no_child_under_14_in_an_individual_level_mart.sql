-- Children under 14 are sensitive (PIPL Art. 28): no row of an individual-level mart,
-- nor of the profiles the gate releases them from, may belong to one.
select
    'int_customer_profile' as relation,
    profiles.person_key
from {{ ref('int_customer_profile') }} as profiles
inner join {{ ref('int_persons') }} as persons on profiles.person_key = persons.person_key
where persons.age < {{ var('min_individual_age') }}

union all

select
    'int_policy_history' as relation,
    policies.person_key
from {{ ref('int_policy_history') }} as policies
inner join {{ ref('int_persons') }} as persons on policies.person_key = persons.person_key
where persons.age < {{ var('min_individual_age') }}

union all

select
    'dim_customers' as relation,
    null as person_key
from {{ ref('dim_customers') }}
where age_band = '0-13'

union all

select
    'fct_policies' as relation,
    null as person_key
from {{ ref('fct_policies') }}
where age_band = '0-13'
