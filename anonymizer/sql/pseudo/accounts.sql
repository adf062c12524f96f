SELECT
    ka.account_key,
    tm.token AS mobile_key,
    a.registered_at::DATE AS registered_on,
    a.acquisition_channel,
    a.status AS account_status,
    a.closed_at::DATE AS closed_on,
    a.is_staff_or_test,
    a.updated_at
FROM landing.accounts AS a
INNER JOIN key_account AS ka USING (account_id)
LEFT JOIN vault.tokens.mobile AS tm ON tm.value = norm_mobile(a.mobile)
