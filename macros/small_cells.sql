{#- The small-cell rule of every released aggregate, in one place: a cell counting fewer
    than `k` people shows no figure at all (NULL, is_suppressed true), so an event the
    adversary knows cannot be tied to fewer than k people.  `k` is the release's
    threshold: var('risk').k_analysts for analysts' marts, var('min_cell_size') for
    shared ones.  The re-identification gate checks every published cell again. -#}
{% macro unless_small_cell(expr, people, k) -%}
    case when {{ people }} >= {{ k }} then {{ expr }} end
{%- endmacro %}

{% macro k_analysts() -%}
    {{ var('risk')['k_analysts'] }}
{%- endmacro %}
