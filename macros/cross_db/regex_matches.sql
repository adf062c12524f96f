{#- True where `expr` contains a match of the regular expression `pattern`.
    DuckDB (RE2) and Spark (Java) read the patterns we use the same way; Spark
    string literals treat a backslash as an escape, so patterns avoid it. -#}
{% macro regex_matches(expr, pattern) -%}
  {{ return(adapter.dispatch('regex_matches', 'yihui')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expr, pattern) -%}
  regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regex_matches(expr, pattern) -%}
  ({{ expr }} rlike '{{ pattern }}')
{%- endmacro %}
