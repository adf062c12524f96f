{#- Released models and seeds set `+database: release` (the attached release file,
    profiles/profiles.yml); everything else stays in the build database.  Spark has
    one catalog: there the release is the same set of schemas (dbt-spark refuses a
    database). -#}
{% macro generate_database_name(custom_database_name=none, node=none) -%}
    {%- if target.type == 'spark' -%}
        {{ default__generate_database_name(none, node) }}
    {%- else -%}
        {{ default__generate_database_name(custom_database_name, node) }}
    {%- endif -%}
{%- endmacro %}
