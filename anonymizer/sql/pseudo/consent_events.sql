-- given_as_minor: the account holder was under 18 at the event (§七: their grant needs a
-- guardian's consent in force at that moment; the rule itself lives in int_marketing_consent).
WITH holder AS (
    SELECT
        account_id,
        birth_date(id_type, id_number, birthday) AS birth_date
    FROM landing.insured_persons
    WHERE relationship = '本人'
    QUALIFY row_number() OVER (PARTITION BY account_id ORDER BY person_id) = 1
)

SELECT
    ka.account_key,
    kp.person_key,
    c.scope,
    c.channel,
    c.purpose,
    c.status AS consent_status,
    c.policy_version,
    c.occurred_at,
    c.updated_at,
    age_at(h.birth_date, c.occurred_at::DATE) < 18 AS given_as_minor
FROM landing.consent_events AS c
INNER JOIN key_account AS ka USING (account_id)
LEFT JOIN key_person AS kp USING (person_id)
LEFT JOIN holder AS h USING (account_id)
