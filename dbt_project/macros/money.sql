{#- Money is numeric, rounded half-up to cents exactly once. -#}
{% macro round_money(expression) -%}
    {{ return(adapter.dispatch('round_money', 'payroll')(expression)) }}
{%- endmacro %}

{% macro postgres__round_money(expression) -%}
    round(({{ expression }})::numeric, 2)
{%- endmacro %}

{% macro default__round_money(expression) -%}
    round(cast({{ expression }} as numeric(38, 10)), 2)
{%- endmacro %}

{#- A money column of a mart: cents already rounded, typed numeric(16, 2). -#}
{% macro as_cents(expression) -%}
    cast({{ expression }} as numeric(16, 2))
{%- endmacro %}
