{#- The marketing consent rules, written once.  dbt renders them into int_marketing_consent and
    fct_contactable_adults; activation (audiences/activate.py) renders the same text with Jinja
    into its re-check over the vault's raw rows, so the two cannot drift.  Plain Jinja only (no
    dbt context): every argument is a SQL expression the caller's query provides. -#}

{#- Why a channel's promotional consent does not hold, null when it does (latest promotion event:
    its status, whether it was given under 18 and a guardian's consent was in force then; whether
    a grant for another purpose exists). -#}
{% macro consent_reason(status, given_as_minor, guardian_in_force, has_other_purpose_grant) -%}
case
    when {{ status }} = 'revoked' then 'unsubscribed'
    when
        {{ status }} = 'granted'
        and {{ given_as_minor }}
        and not coalesce({{ guardian_in_force }}, false)
        then 'consent_given_as_minor'
    when {{ status }} = 'granted' then null
    when {{ has_other_purpose_grant }} then 'wrong_purpose'
    else 'no_marketing_consent'
end
{%- endmacro %}

{#- The first reason an account holder may not be contacted on a channel, in this order (the
    order is documented in fct_contactable_adults.yml); null when they may. -#}
{% macro suppression_reason(
    deletion_status, account_status, is_staff_or_test, has_holder, is_minor,
    has_consent_events, consent_reason, opted_out_personalised, has_open_complaint
) -%}
case
    when {{ deletion_status }} is not null then {{ deletion_status }}
    when {{ account_status }} <> 'active' then 'account_closed'
    when {{ is_staff_or_test }} then 'staff_or_test_account'
    when not ({{ has_holder }}) then 'no_policyholder_record'
    when {{ is_minor }} then 'minor'
    when not ({{ has_consent_events }}) then 'no_marketing_consent'
    when {{ consent_reason }} is not null then {{ consent_reason }}
    when {{ opted_out_personalised }} then 'opted_out_personalised_marketing'
    when {{ has_open_complaint }} then 'open_complaint'
end
{%- endmacro %}
