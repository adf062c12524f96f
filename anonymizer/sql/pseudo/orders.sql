SELECT
    ko.order_key,
    ka.account_key,
    o.product_code,
    o.coverage_year,
    (o.amount_fen / 100)::DECIMAL(12, 2) AS amount_yuan,
    o.status AS order_status,
    o.created_at,
    o.updated_at
FROM landing.orders AS o
INNER JOIN key_order AS ko USING (order_id)
INNER JOIN key_account AS ka USING (account_id)
