-- Every earnings component of fct_payroll is exactly the sum of its
-- fct_earnings lines, in each period of the run (both marts built).
{{ config(meta={'dagster': {'ref': {'name': 'fct_payroll'}}}) }}
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
        sum(amount) filter (where payroll_column = 'salary_pay') as salary_pay,
        sum(amount) filter (where payroll_column = 'straight_time_pay')
            as straight_time_pay,
        sum(amount) filter (where payroll_column = 'overtime_premium_pay')
            as overtime_premium_pay,
        sum(amount) filter (where payroll_column = 'bonus_pay') as bonus_pay
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
where payroll.salary_pay <> coalesce(earnings.salary_pay, 0)
    or payroll.straight_time_pay <> coalesce(earnings.straight_time_pay, 0)
    or payroll.overtime_premium_pay <> coalesce(earnings.overtime_premium_pay, 0)
    or payroll.bonus_pay <> coalesce(earnings.bonus_pay, 0)
