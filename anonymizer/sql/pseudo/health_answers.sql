SELECT
    kp.person_key,
    h.city,
    h.medical_insurance_type,
    h.pre_existing_conditions,
    h.pre_existing_conditions <> '无' AS has_pre_existing_condition,
    h.answered_at::DATE AS answered_on,
    h.updated_at
FROM landing.health_answers AS h
INNER JOIN key_person AS kp USING (person_id)
