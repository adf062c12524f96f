-- Returns one row per column of a staging, intermediate or mart relation whose
-- values look like a raw identifier (the pseudonymised data as analysts see it):
-- a resident ID, a mobile number, an e-mail or an IPv4 address.  Token columns
-- (<prefix>_<32 hex>) are checked for their exact shape instead, since hex can
-- contain digit runs.
{% set checks = [] %}
{% if execute %}
  {% for node in graph.nodes.values() | selectattr('resource_type', 'equalto', 'model') %}
    {% if node.fqn[1] in ('marts', 'staging', 'intermediate') and node.config.materialized != 'ephemeral' %}
      {% set rel = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias) %}
      {% if rel is not none %}
        {% for col in adapter.get_columns_in_relation(rel) if col.is_string() %}
          {% do checks.append((rel, col.name)) %}
        {% endfor %}
      {% endif %}
    {% endif %}
  {% endfor %}
{% endif %}

{% if checks %}
{% for rel, col in checks %}
select '{{ rel }}' as relation, '{{ col }}' as column_name, count(*) as hits
from {{ rel }}
where
  {% if col.endswith('_key') %}
    not regexp_matches({{ col }}, '^[a-z]{2,3}_[0-9a-f]{32}$')
  {% else %}
    regexp_matches({{ col }}, '[0-9]{17}[0-9Xx]')
    or regexp_matches({{ col }}, '(^|[^0-9])1[3-9][0-9]{9}([^0-9]|$)')
    or regexp_matches({{ col }}, '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}')
    or regexp_matches({{ col }}, '(^|[^0-9])[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}([^0-9/]|$)')
  {% endif %}
having count(*) > 0
{% if not loop.last %}union all{% endif %}
{% endfor %}
{% else %}
select null as relation, null as column_name, 0 as hits where false
{% endif %}
