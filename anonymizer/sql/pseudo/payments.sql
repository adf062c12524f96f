SELECT
    ko.order_key,
    row_number() OVER (PARTITION BY ko.order_key ORDER BY p.paid_at, p.payment_id) AS attempt,
    p.method AS payment_method,
    p.status AS payment_status,
    (p.amount_fen / 100)::DECIMAL(12, 2) AS amount_yuan,
    p.paid_at,
    p.updated_at
FROM landing.payments AS p
INNER JOIN key_order AS ko USING (order_id)
