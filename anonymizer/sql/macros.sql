-- Derivations the pseudonymiser applies inside the vault, before raw values are dropped.
-- TEMP macros only: they live in the session, never in a database file.

-- Age in whole years on date d of someone born on b.
CREATE OR REPLACE TEMP MACRO age_at(b, d) AS
    (year(d) - year(b)) - CASE WHEN strftime(d, '%m%d') < strftime(b, '%m%d') THEN 1 ELSE 0 END;

-- Birth date embedded in an 18-digit resident ID (NULL if not a date; year 0000 is none).
CREATE OR REPLACE TEMP MACRO id_birth_date(id) AS
    CASE WHEN substr(id, 7, 4) > '0000' THEN TRY_STRPTIME(substr(id, 7, 8), '%Y%m%d')::DATE END;

-- Birth date of an insured person: from the resident ID when it holds one, else as declared.
CREATE OR REPLACE TEMP MACRO birth_date(id_type, id_number, birthday) AS
    CASE WHEN id_type = '居民身份证' THEN coalesce(id_birth_date(id_number), birthday) ELSE birthday END;

-- GB 11643 check character (ISO 7064 MOD 11-2) of the first 17 digits.
CREATE OR REPLACE TEMP MACRO resident_id_check_char(id) AS
    substr('10X98765432', 1 + (list_sum(list_transform(range(17), lambda i: (ascii(substr(id, i + 1, 1)) - 48)
        * [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2][i + 1])) % 11)::INTEGER, 1);

-- Why a resident ID is unusable, NULL when it is usable: the SQL twin of
-- core.idnumbers.resident_id_problem (held equal by tests/unit/test_macros.py),
-- without the region check, which the caller joins against seeds/regions.csv.
CREATE OR REPLACE TEMP MACRO resident_id_problem(raw, as_of) AS
    CASE
        WHEN raw IS NULL OR raw = '' THEN 'missing'
        WHEN NOT regexp_full_match(upper(raw), '[0-9]{17}[0-9X]') THEN 'bad_format'
        WHEN resident_id_check_char(upper(raw)) <> substr(upper(raw), 18, 1) THEN 'bad_checksum'
        WHEN id_birth_date(raw) IS NULL THEN 'bad_birth_date'
        WHEN id_birth_date(raw) > as_of THEN 'future_birth_date'
    END;

-- Sex embedded in an 18-digit resident ID: odd 17th digit = 男.
CREATE OR REPLACE TEMP MACRO id_sex(id) AS
    CASE WHEN TRY_CAST(substr(id, 17, 1) AS INTEGER) % 2 = 1 THEN '男' ELSE '女' END;

-- Device class from the model string the client reports.
CREATE OR REPLACE TEMP MACRO device_class(model) AS
    CASE
        WHEN model ILIKE '%ipad%' OR model ILIKE '%tab%' THEN 'tablet'
        WHEN model ILIKE '%windows%' OR model ILIKE '%mac%' THEN 'desktop'
        WHEN model IS NULL THEN 'unknown'
        ELSE 'mobile'
    END;

-- IPv4 text to an integer, for network lookups (NULL for anything else).
CREATE OR REPLACE TEMP MACRO ipv4_int(ip) AS
    CASE WHEN regexp_matches(ip, '^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$') THEN
        TRY_CAST(split_part(ip, '.', 1) AS BIGINT) * 16777216 + TRY_CAST(split_part(ip, '.', 2) AS BIGINT) * 65536
        + TRY_CAST(split_part(ip, '.', 3) AS BIGINT) * 256 + TRY_CAST(split_part(ip, '.', 4) AS BIGINT)
    END;

-- Masked display for published lists (their formats: tests/unit/test_mask.py).
-- A mobile is read as its token value is (norm_mobile, anonymizer/domains.py): its last 11 digits.
CREATE OR REPLACE TEMP MACRO mask_mobile(m) AS
    CASE WHEN length(norm_mobile(m)) = 11 THEN substr(norm_mobile(m), 1, 3) || '****' || right(norm_mobile(m), 4) END;

CREATE OR REPLACE TEMP MACRO mask_name(n) AS
    CASE WHEN n IS NULL OR length(n) = 0 THEN NULL
         WHEN length(n) = 1 THEN '*'
         ELSE left(n, 1) || repeat('*', length(n) - 1) END;

CREATE OR REPLACE TEMP MACRO mask_login(s) AS
    CASE WHEN s IS NULL OR length(s) = 0 THEN NULL
         WHEN length(s) = 1 THEN '*'
         WHEN length(s) <= 3 THEN left(s, 1) || repeat('*', length(s) - 1)
         ELSE left(s, 1) || '***' || right(s, 1) END;

CREATE OR REPLACE TEMP MACRO mask_id(i) AS
    CASE WHEN i IS NULL OR length(i) < 2 THEN NULL
         WHEN length(i) = 18 THEN left(i, 4) || repeat('*', 13) || right(i, 1)
         ELSE left(i, 1) || repeat('*', length(i) - 2) || right(i, 1) END;
