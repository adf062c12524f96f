WITH derived AS (
    SELECT
        p.*,
        birth_date(p.id_type, p.id_number, p.birthday) AS birth_date,
        CASE WHEN p.id_type = '居民身份证' THEN id_sex(p.id_number) ELSE p.sex END AS derived_sex,
        CASE WHEN p.id_type = '居民身份证' THEN substr(p.id_number, 1, 6) END AS id_region_code
    FROM landing.insured_persons AS p
),

aged AS (
    SELECT *, age_at(birth_date, as_of()) AS age FROM derived
)

SELECT
    kp.person_key,
    ka.account_key,
    p.relationship,
    p.id_type,
    p.derived_sex AS sex,
    p.derived_sex = p.sex AS declared_sex_matches,
    p.birth_date = p.birthday AS declared_birthday_matches,
    p.age,
    ab.age_band,
    p.age < 18 AS is_minor,
    r.region_code AS district_code,
    r.region_name AS district_name,
    r.city_code,
    r.city_name,
    r.province_code,
    r.province_name,
    p.created_at::DATE AS created_on,
    p.updated_at
FROM aged AS p
INNER JOIN key_person AS kp USING (person_id)
INNER JOIN key_account AS ka USING (account_id)
LEFT JOIN seed_age_bands AS ab ON p.age BETWEEN ab.min_age AND ab.max_age
LEFT JOIN seed_regions AS r ON r.region_code = p.id_region_code
