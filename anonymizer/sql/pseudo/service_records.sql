-- Free-text notes are not carried: they hold names, phones and ID numbers as
-- people type them.  Only their length is kept until redaction lands.
SELECT
    tr.token AS record_key,
    ka.account_key,
    s.kind AS contact_kind,
    s.channel AS contact_channel,
    s.status AS contact_status,
    s.opened_at,
    s.closed_at,
    length(s.note) AS note_chars,
    s.updated_at
FROM landing.service_records AS s
INNER JOIN key_account AS ka USING (account_id)
LEFT JOIN vault.tokens.record AS tr ON tr.value = norm_record('service_records:' || s.record_id)
