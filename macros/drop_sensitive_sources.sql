{#- After a fully successful build, remove what is sensitive from the
    pseudonymised sources: the aggregate marts have read it, and the warehouse
    that gets published must not hold it individually.
    * sources marked `meta: {sensitive: true}` (health answers) are dropped;
    * rows of children under var('min_individual_age') (PIPL Art. 28) are
      deleted from every source that carries a person_key (their certificates
      and guardian consents too), and last from insured_persons itself.
    After a failed build nothing is removed, so `yihui build` can retry (a
    failed build is never published). -#}
{% macro drop_sensitive_sources(results) %}
  {% if execute and flags.WHICH in ('build', 'run') %}
    {% set failed = results | selectattr('status', 'in', ['error', 'fail', 'runtime error']) | list %}
    {% set persons = source('ops', 'insured_persons') %}
    {#- a selective build on a database without the pseudonymised sources has nothing to remove -#}
    {% if not failed and adapter.get_relation(persons.database, persons.schema, persons.identifier) %}
      {% set children = 'select person_key from ' ~ persons ~ ' where age < ' ~ var('min_individual_age') %}
      {% for src in graph.sources.values() if src.source_name == 'ops' %}
        {% set rel = source('ops', src.name) %}
        {% if src.meta.get('sensitive') %}
          {% do run_query('drop table if exists ' ~ rel) %}
        {% elif src.name != 'insured_persons'
              and adapter.get_columns_in_relation(rel) | selectattr('name', 'equalto', 'person_key') | list %}
          {% do run_query('delete from ' ~ rel ~ ' where person_key in (' ~ children ~ ')') %}
        {% endif %}
      {% endfor %}
      {% do run_query('delete from ' ~ persons ~ ' where age < ' ~ var('min_individual_age')) %}
      {#- dbt runs on-run-end in a transaction it then rolls back: make the removal stick -#}
      {% do run_query('commit') %}
      {% do run_query('begin') %}
    {% endif %}
  {% endif %}
{% endmacro %}
