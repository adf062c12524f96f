-- The network of each distinct address, joined back: one range test per address, not per
-- visit (city: 590k addresses for 4.7M visits, the table 10.1 s instead of 13.0 s).
WITH nets AS (
    SELECT i.ip_address, n.network || '/' || n.prefix_length AS ip_network, n.city_code AS ip_city_code,
           r.region_name AS ip_city_name
    FROM (SELECT DISTINCT ip_address FROM landing.access_logs WHERE ip_address IS NOT NULL) AS i
    INNER JOIN seed_ip_networks AS n ON ipv4_int(i.ip_address) BETWEEN n.first_ip AND n.last_ip
    LEFT JOIN seed_regions AS r ON r.region_code = n.city_code
)
SELECT
    ka.account_key,
    l.occurred_at,
    ti.token AS ip_key,
    nets.ip_network,
    nets.ip_city_code,
    nets.ip_city_name,
    tc.token AS cookie_key,
    td.token AS device_key,
    l.device_model,
    device_class(l.device_model) AS device_class,
    l.os,
    l.page,
    l.updated_at
FROM landing.access_logs AS l
INNER JOIN key_account AS ka USING (account_id)
LEFT JOIN vault.tokens.ip AS ti ON ti.value = norm_ip(l.ip_address)
LEFT JOIN vault.tokens.cookie AS tc ON tc.value = norm_cookie(l.cookie_id)
LEFT JOIN vault.tokens.device AS td ON td.value = norm_device(l.device_id)
LEFT JOIN nets ON nets.ip_address = l.ip_address
