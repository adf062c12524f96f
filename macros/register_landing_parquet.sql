{#- On Spark, every source becomes an EXTERNAL table over the pseudonymised
    landing data that `yihui build --engine spark` exported as Parquet:
    <YIHUI_LANDING_PARQUET>/<schema>/<table>/.  On DuckDB the sources are the
    staging warehouse's own tables and nothing is registered.  Only tokens and
    generalised attributes are in those files: raw data and keys never reach Spark. -#}
{% macro register_landing_parquet() %}
  {{ return(adapter.dispatch('register_landing_parquet', 'yihui')()) }}
{% endmacro %}

{% macro default__register_landing_parquet() %}
{% endmacro %}

{% macro spark__register_landing_parquet() %}
  {% if execute %}
    {% set root = env_var('YIHUI_LANDING_PARQUET') %}
    {% for src in graph.sources.values() %}
      {% set location = root ~ '/' ~ src.schema ~ '/' ~ src.identifier %}
      {% do run_query('create database if not exists ' ~ src.schema) %}
      {% do run_query('drop table if exists ' ~ src.schema ~ '.' ~ src.identifier) %}
      {% do run_query('create table ' ~ src.schema ~ '.' ~ src.identifier
                      ~ " using parquet location '" ~ location ~ "'") %}
    {% endfor %}
  {% endif %}
{% endmacro %}
