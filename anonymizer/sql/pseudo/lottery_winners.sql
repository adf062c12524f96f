SELECT
    ka.account_key,
    w.campaign,
    w.prize,
    w.won_at,
    w.updated_at
FROM landing.lottery_winners AS w
INNER JOIN key_account AS ka USING (account_id)
