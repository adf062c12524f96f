-- Row keys shared by several tables: operational ids -> tokens (session-only tables).
CREATE OR REPLACE TEMP TABLE key_account AS
SELECT a.account_id, t.token AS account_key
FROM landing.accounts AS a
INNER JOIN vault.tokens.account AS t ON t.value = norm_account(a.openid);

CREATE OR REPLACE TEMP TABLE key_person AS
SELECT p.person_id, t.token AS person_key
FROM landing.insured_persons AS p
INNER JOIN vault.tokens.person AS t ON t.value = norm_person(p.id_type, p.id_number);

CREATE OR REPLACE TEMP TABLE key_order AS
SELECT o.order_id, t.token AS order_key
FROM landing.orders AS o
INNER JOIN vault.tokens.order_no AS t ON t.value = norm_order_no(o.order_no);
