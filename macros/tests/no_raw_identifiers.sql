{#- Fails with one row per text column of `model` that holds something looking
    like a raw identifier: a resident ID, a mobile number, an e-mail or an IPv4
    address; and per token column (`*_key`) whose values are not exactly
    `<prefix>_<32 hex>` (hex may contain digit runs, so keys are checked by shape).

    A generic test, declared on every pseudonymised source and every mart, so
    that it runs after the relation it reads is built (a singular test over the
    whole graph has no parents and ran before the marts existed).  Staging views and
    intermediate tables are built only from the checked sources (dbt never sees raw
    data) and are not scanned again.  One pass over the relation for all its columns, one regular
    expression per value (measured on city: 4x faster than four), and only on values that could
    hold one: every pattern needs 6 characters and an '@' or 4 digits, a test 2.5x cheaper than
    the expression (1.2 s to 0.5 s over the text columns of city's access logs).

    On a pseudonymised source updated in place, only the rows this run wrote: the others passed this
    same scan in the build they were written in (city, after the bench's 1 % touch: 16 s of busy test
    time became 6).  pipelines/build.py says so in the table meta.raw_scan_only (the run's stamp
    column and run id) for the length of its dbt build only.  A table read when the test runs, not a
    var: a var that changes every run made dbt parse the whole project again every run (2.3 s). -#}
{% test no_raw_identifiers(model) %}
  {%- set columns = [] -%}
  {%- if execute -%}
    {%- for col in adapter.get_columns_in_relation(model) if col.is_string() -%}
      {%- do columns.append(col.name) -%}
    {%- endfor -%}
  {%- endif -%}
  {%- set only = none -%}
  {%- if execute and target.type == 'duckdb' -%}
    {%- set limit = adapter.get_relation(database=model.database, schema='meta', identifier='raw_scan_only') -%}
    {%- if limit is not none -%}
      {%- set rows = run_query('select column_name, run_id from ' ~ limit).rows -%}
      {%- if rows | length and rows[0][0] in columns -%}
        {%- set only = rows[0] -%}
      {%- endif -%}
    {%- endif -%}
  {%- endif -%}
  {%- set raw_identifier = '[0-9]{17}[0-9Xx]'
      ~ '|(^|[^0-9])1[3-9][0-9]{9}([^0-9]|$)'
      ~ '|[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+[.][A-Za-z]{2,}'
      ~ '|(^|[^0-9])[0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}[.][0-9]{1,3}([^0-9/]|$)' -%}
  {%- if columns %}
    with hits as (
      select
      {%- for col in columns %}
        sum(case when {% if col.endswith('_key') -%}
          not {{ yihui.regex_matches(adapter.quote(col), '^[a-z]{2,3}_[0-9a-f]{32}$') }}
        {%- else -%}
          {{ dbt.length(adapter.quote(col)) }} >= 6
          and ({{ adapter.quote(col) }} like '%@%' or {{ yihui.digit_count(adapter.quote(col)) }} >= 4)
          and {{ yihui.regex_matches(adapter.quote(col), raw_identifier) }}
        {%- endif %} then 1 else 0 end) as hits_{{ loop.index }}{{ ',' if not loop.last }}
      {%- endfor %}
      from {{ model }}
      {%- if only is not none %}
      where {{ adapter.quote(only[0]) }} = '{{ only[1] }}'
      {%- endif %}
    )
    {%- for col in columns %}
    select '{{ col }}' as column_name, hits_{{ loop.index }} as hits from hits where hits_{{ loop.index }} > 0
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
  {%- else %}
    select cast(null as {{ dbt.type_string() }}) as column_name, 0 as hits from (select 1 as one) as nothing where 1 = 0
  {%- endif %}
{% endtest %}
