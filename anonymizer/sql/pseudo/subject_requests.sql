SELECT
    tr.token AS request_key,
    ka.account_key,
    s.kind AS request_kind,
    s.received_at,
    s.verified_at,
    s.responded_at,
    s.status AS request_status,
    s.updated_at
FROM landing.subject_requests AS s
INNER JOIN key_account AS ka USING (account_id)
LEFT JOIN vault.tokens.record AS tr ON tr.value = norm_record('subject_requests', s.request_id)
