{#- After a fully successful build, drop the pseudonymised sources marked
    `meta: {sensitive: true}` (health answers): the aggregate marts have read
    them, and the warehouse that gets published must not hold them
    individually.  After a failed build they stay, so `yihui build` can retry
    (a failed build is never published). -#}
{% macro drop_sensitive_sources(results) %}
  {% if execute and flags.WHICH in ('build', 'run') %}
    {% set failed = results | selectattr('status', 'in', ['error', 'fail', 'runtime error']) | list %}
    {% if not failed %}
      {% for source in graph.sources.values() if source.meta.get('sensitive') %}
        {% do run_query('drop table if exists ' ~ source.schema ~ '.' ~ source.identifier) %}
      {% endfor %}
    {% endif %}
  {% endif %}
{% endmacro %}
