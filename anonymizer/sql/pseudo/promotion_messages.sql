SELECT
    ka.account_key,
    m.channel,
    m.kind AS message_kind,
    m.campaign,
    m.sent_at,
    m.updated_at
FROM landing.promotion_messages AS m
INNER JOIN key_account AS ka USING (account_id)
