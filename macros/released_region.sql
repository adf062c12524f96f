{#- Local recoding of the ID region before the gate's global one: a district with fewer
    than var('min_region_people') people in the relation is released as its city, a city
    with fewer as its province (resident IDs come from all over China, and a person from
    a county with three others on the platform is singled out by it).  The gate then
    generalises the whole column further if k needs it (anonymizer/risk.py LEVELS), and
    an attacker matches a target at the finest level the release shows for them. -#}
{% macro released_region(level, district, city, province) -%}
    {%- set n = var('min_region_people') -%}
    {%- set city_or_province -%}
        case when count(*) over (partition by {{ city }}) >= {{ n }} then {{ city }} else coalesce({{ province }}, {{ city }}) end
    {%- endset -%}
    {%- if level == 'city' -%}
        {{ city_or_province }}
    {%- else -%}
        case when count(*) over (partition by {{ district }}) >= {{ n }} then {{ district }} else {{ city_or_province }} end
    {%- endif -%}
{%- endmacro %}
