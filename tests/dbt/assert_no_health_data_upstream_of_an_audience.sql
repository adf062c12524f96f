-- Health data (PIPL Art. 28) never drives promotion targeting: no model in
-- marts/audience may depend, at any distance, on the health answers or on a
-- model exposing a column listed in var('sensitive_columns').
{% set offenders = [] %}
{% if execute %}
  {% set sensitive = var('sensitive_columns') %}
  {% for node in graph.nodes.values() if node.resource_type == 'model' and node.fqn[1:3] == ['marts', 'audience'] %}
    {% set ns = namespace(frontier=node.depends_on.nodes | list, seen=[]) %}
    {% for _ in range(50) %}
      {% set next = [] %}
      {% for uid in ns.frontier if uid not in ns.seen %}
        {% do ns.seen.append(uid) %}
        {% set up = graph.nodes.get(uid) or graph.sources.get(uid) %}
        {% if up is not none %}
          {% set cols = up.columns.keys() | list %}
          {% if up.name == 'health_answers' or up.name == 'stg_ops__health_answers'
                or (cols | select('in', sensitive) | list) %}
            {% do offenders.append((node.name, up.name)) %}
          {% endif %}
          {% for d in (up.depends_on.nodes if up.depends_on is defined else []) %}
            {% do next.append(d) %}
          {% endfor %}
        {% endif %}
      {% endfor %}
      {% set ns.frontier = next %}
    {% endfor %}
  {% endfor %}
{% endif %}

{% if offenders %}
  {% for audience, upstream in offenders %}
select '{{ audience }}' as audience_model, '{{ upstream }}' as sensitive_upstream
{% if not loop.last %}union all{% endif %}
  {% endfor %}
{% else %}
select null as audience_model, null as sensitive_upstream where false
{% endif %}
