{#- After a fully successful build, remove what is sensitive from the
    pseudonymised sources: the aggregate marts have read it, and the warehouse
    that gets published must not hold it individually.
    * sources marked `meta: {sensitive: true}` (health answers) are emptied and dropped;
    * rows of children under var('min_individual_age') (PIPL Art. 28) are
      deleted from every source and every intermediate table that carries a
      person_key (their certificates and guardian consents too), and last from
      insured_persons itself.
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
          {% do yihui.keep_only(rel, '1 = 0') %}
          {% do run_query('drop table if exists ' ~ rel) %}
        {% elif src.name != 'insured_persons'
              and adapter.get_columns_in_relation(rel) | selectattr('name', 'equalto', 'person_key') | list %}
          {% do yihui.keep_only(rel, 'person_key is null or person_key not in (' ~ children ~ ')') %}
        {% endif %}
      {% endfor %}
      {#- intermediate models are tables (read by several marts): they held children for the aggregates too -#}
      {% for node in graph.nodes.values() if node.resource_type == 'model' and 'intermediate' in node.fqn %}
        {% set rel = adapter.get_relation(node.database, node.schema, node.alias) %}
        {% if rel and rel.is_table
              and adapter.get_columns_in_relation(rel) | selectattr('name', 'equalto', 'person_key') | list %}
          {% do yihui.keep_only(rel, 'person_key is null or person_key not in (' ~ children ~ ')') %}
        {% endif %}
      {% endfor %}
      {% do yihui.keep_only(persons, 'not (age < ' ~ var('min_individual_age') ~ ') or age is null') %}
      {% do yihui.commit_hook() %}
    {% endif %}
  {% endif %}
{% endmacro %}

{#- Delete the rows of `relation` for which `condition` is not true. -#}
{% macro keep_only(relation, condition) %}
  {{ return(adapter.dispatch('keep_only', 'yihui')(relation, condition)) }}
{% endmacro %}

{% macro default__keep_only(relation, condition) %}
  {% do run_query('delete from ' ~ relation ~ ' where not coalesce(' ~ condition ~ ', false)') %}
{% endmacro %}

{#- Spark's Parquet tables take no DELETE, and a table cannot be overwritten from
    itself: the rows to keep go through a scratch table, then overwrite the files. -#}
{% macro spark__keep_only(relation, condition) %}
  {% set scratch = relation.schema ~ '.yihui_keep_' ~ relation.identifier %}
  {% do run_query('drop table if exists ' ~ scratch) %}
  {% do run_query('create table ' ~ scratch ~ ' using parquet as select * from ' ~ relation
                  ~ ' where coalesce(' ~ condition ~ ', false)') %}
  {% do run_query('insert overwrite table ' ~ relation ~ ' select * from ' ~ scratch) %}
  {% do run_query('drop table ' ~ scratch) %}
{% endmacro %}

{#- dbt runs on-run-end in a transaction it then rolls back on DuckDB: make the removal stick. -#}
{% macro commit_hook() %}
  {{ return(adapter.dispatch('commit_hook', 'yihui')()) }}
{% endmacro %}

{% macro default__commit_hook() %}
  {% do run_query('commit') %}
  {% do run_query('begin') %}
{% endmacro %}

{% macro spark__commit_hook() %}
{% endmacro %}
