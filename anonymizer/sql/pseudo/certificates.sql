SELECT
    tc.token AS certificate_key,
    ko.order_key,
    tp.token AS person_key,
    c.product_name,
    c.plan,
    (c.premium_fen / 100)::DECIMAL(12, 2) AS premium_yuan,
    c.coverage_start,
    c.coverage_end,
    c.underwriter,
    c.updated_at
FROM landing.certificates AS c
INNER JOIN key_order AS ko USING (order_id)
LEFT JOIN vault.tokens.certificate AS tc ON tc.value = norm_certificate(c.certificate_no)
LEFT JOIN vault.tokens.person AS tp ON tp.value = norm_person(c.id_type, c.id_number)
