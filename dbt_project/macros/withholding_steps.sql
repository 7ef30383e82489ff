{#- One step of the withholding order (CONTRACT §6, Publication 15 §6): take
    `wanted`, at most the cash the earlier steps left (`cash_left`, never
    below 0). Emits a lateral join with `<step>` (what was taken) and
    `<step>_cash_left` (what is left for the next step), so the steps chain
    in one statement: each reads the previous one's cash left. -#}
{% macro withholding_step(step, wanted, cash_left) -%}
    cross join lateral (
        select
            taken.amount as {{ step }},
            {{ cash_left }} - taken.amount as {{ step }}_cash_left
        from (select least({{ wanted }}, greatest(0, {{ cash_left }})) as amount) as taken
    ) as {{ step }}_step
{%- endmacro %}

{#- The employee's Social Security, Medicare (with the additional rate above
    the threshold) and state disability on `wages` this period, each rounded
    to cents, named `social_security_tax<suffix>`, `medicare_tax<suffix>`,
    `state_disability_tax<suffix>`. -#}
{% macro employee_fica_and_sdi(wages, suffix) -%}
    {{ round_money(
        'social_security_rate * least(' ~ wages ~ ', greatest(0,'
        ~ ' social_security_wage_base - social_security_wages_ytd))'
    ) }} as social_security_tax{{ suffix }},
    {{ round_money(
        'medicare_rate * ' ~ wages ~ ' + additional_medicare_rate * ('
        ~ 'greatest(0, medicare_wages_ytd + ' ~ wages
        ~ ' - additional_medicare_threshold)'
        ~ ' - greatest(0,'
        ~ ' medicare_wages_ytd - additional_medicare_threshold))'
    ) }} as medicare_tax{{ suffix }},
    {{ round_money('state_disability_rate * ' ~ wages) }}
        as state_disability_tax{{ suffix }}
{%- endmacro %}

{#- Pub 15-T Worksheet 1A lines 2a–4b for the bracket row `bracket` of the
    annual wage `annual_wage` (of a row aliased `annualized`), rounded. -#}
{% macro federal_withholding(bracket, annual_wage) -%}
    {{ round_money(
        'greatest(0, (' ~ bracket ~ '.tentative_amount + (' ~ annual_wage
        ~ ' - ' ~ bracket ~ '.over) * ' ~ bracket ~ '.rate)'
        ~ ' / annualized.periods_per_year'
        ~ ' - annualized.w4_dependents / annualized.periods_per_year)'
        ~ ' + annualized.w4_extra_withholding'
    ) }}
{%- endmacro %}
