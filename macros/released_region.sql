{#- Local recoding of the ID region before the gate's global one: a district with fewer
    than var('min_region_people') people in the relation is released as its city, a city
    with fewer as its province (resident IDs come from all over China, and a person from
    a county with three others on the platform is singled out by it).  The gate then
    generalises the whole column further if k needs it (anonymizer/risk.py LEVELS), and
    an attacker matches a target at the finest level the release shows for them.

    `rows`: what one row of the query stands for in the relation, when the region is recoded
    at a coarser grain than the relation's rows.  int_policy_history (a row per certificate)
    recodes each person once, weighted by their certificates (`sum(...)`): the window then
    runs over 1.6M narrow person rows instead of 3.1M wide certificate rows (on city 5.4 s
    instead of 7.0 s for the model alone, 8.1 s instead of 11.5 s at half the memory). -#}
{% macro released_region(level, district, city, province, rows='count(*)') -%}
    {%- set n = var('min_region_people') -%}
    {%- set city_or_province -%}
        case when {{ rows }} over (partition by {{ city }}) >= {{ n }} then {{ city }} else coalesce({{ province }}, {{ city }}) end
    {%- endset -%}
    {%- if level == 'city' -%}
        {{ city_or_province }}
    {%- else -%}
        case when {{ rows }} over (partition by {{ district }}) >= {{ n }} then {{ district }} else {{ city_or_province }} end
    {%- endif -%}
{%- endmacro %}
