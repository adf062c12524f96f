-- The published list (§三.(三)) shows the login name and mobile masked; only
-- the masked forms leave the vault.
SELECT
    ka.account_key,
    w.campaign,
    w.prize,
    w.won_at,
    mask_login(w.login_name) AS login_name_masked,
    mask_mobile(w.mobile) AS mobile_masked,
    w.updated_at
FROM landing.lottery_winners AS w
INNER JOIN key_account AS ka USING (account_id)
