-- Free-text notes reach the warehouse only redacted (anonymizer/redact.py):
-- names, ID numbers, mobiles, e-mails, cards, addresses and OpenIDs become
-- typed placeholders such as 〔姓名〕 and 〔手机号〕.
SELECT
    tr.token AS record_key,
    ka.account_key,
    s.kind AS contact_kind,
    s.channel AS contact_channel,
    s.status AS contact_status,
    s.opened_at,
    s.closed_at,
    rn.note_redacted,
    length(s.note) AS note_chars,
    s.updated_at
FROM landing.service_records AS s
INNER JOIN key_account AS ka USING (account_id)
LEFT JOIN redacted_notes AS rn USING (record_id)
LEFT JOIN vault.tokens.record AS tr ON tr.value = norm_record('service_records', s.record_id)
