-- Minors are never recipients of promotions (§七): no contactable row belongs
-- to a holder under 18, by the holder's flag or by the age-band seed.
select
    contactable.account_key,
    contactable.channel
from {{ ref('fct_contactable_adults') }} as contactable
left join {{ ref('stg_ops__insured_persons') }} as persons on contactable.person_key = persons.person_key
left join {{ ref('age_bands') }} as bands on contactable.age_band = bands.age_band
where
    contactable.is_contactable
    and (persons.is_minor or not bands.is_adult or bands.is_adult is null)
