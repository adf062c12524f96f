{#- Schemas are named for what they hold (staging, profile, audience…), not
    prefixed with the target schema: analysts query profile.dim_customers. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
