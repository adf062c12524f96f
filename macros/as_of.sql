{#- The run's reference date (consent windows, recency windows, coverage years).
    `yihui run` sets YIHUI_AS_OF (the variable its own --as-of setting reads) to the
    run's date; a bare `dbt build` falls back to var('as_of').
    An env var, not a --vars value: dbt parses the whole project again whenever a
    var changes, but only the files that read an env var when it changes, so a run
    on a new day reuses the last parse. Unit tests pin it with `overrides: env_vars`. -#}
{% macro as_of() %}
  {{- return(env_var('YIHUI_AS_OF', var('as_of'))) -}}
{% endmacro %}
