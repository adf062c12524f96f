SELECT
    tr.token AS booking_key,
    ka.account_key,
    g.group_type,
    tc.token AS company_key,
    tp.token AS contact_key,
    tm.token AS contact_mobile_key,
    te.token AS contact_email_key,
    g.headcount,
    g.status AS booking_status,
    g.created_at,
    g.updated_at
FROM landing.group_bookings AS g
INNER JOIN key_account AS ka USING (account_id)
LEFT JOIN vault.tokens.record AS tr ON tr.value = norm_record('group_bookings', g.booking_id)
LEFT JOIN vault.tokens.company AS tc ON tc.value = norm_company(g.credit_code, g.company_name)
LEFT JOIN vault.tokens.contact AS tp
    ON tp.value = norm_contact(g.contact_name, g.contact_phone)
LEFT JOIN vault.tokens.mobile AS tm ON tm.value = norm_mobile(g.contact_phone)
LEFT JOIN vault.tokens.email AS te ON te.value = norm_email(g.contact_email)
