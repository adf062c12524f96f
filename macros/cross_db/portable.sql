{#- The few expressions DuckDB and Spark write differently, dispatched by adapter
    (issue 10).  Each pair was checked to give the same values on both engines;
    everything else in the models is SQL both accept. -#}

{#- 'a,b,c': the distinct non-null values of `expr` where `condition` holds,
    sorted; '' when there are none. -#}
{% macro distinct_sorted_list(expr, condition) -%}
  {{ return(adapter.dispatch('distinct_sorted_list', 'yihui')(expr, condition)) }}
{%- endmacro %}

{% macro default__distinct_sorted_list(expr, condition) -%}
  coalesce(string_agg(distinct {{ expr }}, ',' order by {{ expr }}) filter (where {{ condition }}), '')
{%- endmacro %}

{% macro spark__distinct_sorted_list(expr, condition) -%}
  coalesce(array_join(array_sort(collect_set(case when {{ condition }} then {{ expr }} end)), ','), '')
{%- endmacro %}

{#- Hours between two timestamps, counted in minute boundaries crossed (DuckDB's
    date_diff semantics; dbt.datediff on Spark rounds seconds up instead), as a double. -#}
{% macro hours_between(start, end) -%}
  {{ return(adapter.dispatch('hours_between', 'yihui')(start, end)) }}
{%- endmacro %}

{% macro default__hours_between(start, end) -%}
  date_diff('minute', {{ start }}, {{ end }}) / 60.0
{%- endmacro %}

{% macro spark__hours_between(start, end) -%}
  timestampdiff(minute, date_trunc('minute', {{ start }}), date_trunc('minute', {{ end }})) / 60e0
{%- endmacro %}

{#- How many ASCII digits `expr` holds. -#}
{% macro digit_count(expr) -%}
  {{ return(adapter.dispatch('digit_count', 'yihui')(expr)) }}
{%- endmacro %}

{% macro default__digit_count(expr) -%}
  length(regexp_replace({{ expr }}, '[^0-9]', '', 'g'))
{%- endmacro %}

{% macro spark__digit_count(expr) -%}
  length(regexp_replace({{ expr }}, '[^0-9]', ''))
{%- endmacro %}
