-- Sensitive columns (var('sensitive_columns'), PIPL Art. 28) appear only in
-- aggregated marts: any individual-level mart (meta.individual_level) that has
-- one, in its built relation or as a column declared `privacy: sensitive`, fails.
{% set offenders = [] %}
{% if execute %}
  {% set sensitive = var('sensitive_columns') %}
  {% for node in graph.nodes.values() if node.resource_type == 'model' and node.fqn[1] == 'marts' %}
    {% set meta = node.config.meta %}
    {% if meta.get('individual_level', true) %}
      {% for c in node.columns.values() if c.meta.get('privacy') == 'sensitive' %}
        {% do offenders.append((node.name, c.name)) %}
      {% endfor %}
      {% set rel = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) %}
      {% if rel is not none %}
        {% for col in adapter.get_columns_in_relation(rel) if col.name in sensitive %}
          {% do offenders.append((node.name, col.name)) %}
        {% endfor %}
      {% endif %}
    {% endif %}
  {% endfor %}
{% endif %}

{% if offenders %}
  {% for model, column in offenders %}
select '{{ model }}' as model_name, '{{ column }}' as sensitive_column
{% if not loop.last %}union all{% endif %}
  {% endfor %}
{% else %}
select null as model_name, null as sensitive_column where false
{% endif %}
