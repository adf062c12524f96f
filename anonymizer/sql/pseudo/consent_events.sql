SELECT
    ka.account_key,
    kp.person_key,
    c.scope,
    c.channel,
    c.purpose,
    c.status AS consent_status,
    c.policy_version,
    c.occurred_at,
    c.updated_at
FROM landing.consent_events AS c
INNER JOIN key_account AS ka USING (account_id)
LEFT JOIN key_person AS kp USING (person_id)
