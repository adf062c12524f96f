-- Every published winner row shows only the masked forms (mask_login / mask_mobile in anonymizer/sql/macros.sql).
select *
from {{ ref('fct_lottery_winners') }}
where
    not {{ regex_matches('mobile_masked', '^1[3-9][0-9][*]{4}[0-9]{4}$') }}
    or not {{ regex_matches('login_name_masked', '^.([*]{1,2}|[*]{3}.)$') }}
