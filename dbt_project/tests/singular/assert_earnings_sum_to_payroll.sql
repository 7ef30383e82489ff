-- Every earnings component of fct_payroll is exactly the sum of its
-- fct_earnings lines, in each period of the run (both marts built).
{{ config(meta={'dagster': {'ref': {'name': 'fct_payroll'}}}) }}
{%- set earning_columns = ['salary_pay'] + corrected_gross_pay_columns() -%}
with

published_periods as (

    select distinct
        tenant_id,
        period_start
    from {{ ref('fct_earnings') }} as earnings
    where {{ in_selected_period('earnings') }}

),

earnings_summed as (

    select
        tenant_id,
        staff_id,
        period_start,
    {%- for column in earning_columns %}
    sum(amount) filter (where payroll_column = '{{ column }}')
        as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ ref('fct_earnings') }} as earnings
    where {{ in_selected_period('earnings') }}
    group by 1, 2, 3

)

select
    payroll.tenant_id,
    payroll.staff_id,
    payroll.period_start
from {{ ref('fct_payroll') }} as payroll
inner join published_periods
    on payroll.tenant_id = published_periods.tenant_id
    and payroll.period_start = published_periods.period_start
left join earnings_summed as earnings
    on payroll.tenant_id = earnings.tenant_id
    and payroll.staff_id = earnings.staff_id
    and payroll.period_start = earnings.period_start
where
{%- for column in earning_columns %}
    {{ 'or ' if not loop.first }}payroll.{{ column }} <> coalesce(earnings.{{ column }}, 0)
{%- endfor %}
