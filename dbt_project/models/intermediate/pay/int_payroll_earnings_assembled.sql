{#-
    The earnings of each staff member paid in the build's periods: the
    period's own earnings plus the corrections to finalized periods paid in
    it (fct_payroll_adjustments). A staff member paid only corrections has
    no earnings row of the period: home location and the period's dates
    then come from the staff member and the calendar.
-#}
{%- set corrected_columns = corrected_pay_columns() -%}
with

pay_periods as (

    select * from {{ ref('dim_pay_periods') }}

),

period_earnings as (

    select *
    from {{ ref('int_period_earnings') }} as int_period_earnings
    where {{ in_selected_period('int_period_earnings') }}

),

-- corrections to finalized periods paid in this one
adjustments_applied as (

    select
        tenant_id,
        staff_id,
        applied_period_start as period_start,
        {%- for column in corrected_columns %}
        sum(delta_{{ column }}) as {{ column }},
        {%- endfor %}
        sum(delta_gross_pay) as gross_pay
    from {{ ref('fct_payroll_adjustments') }} as adjustment_lines
    where {{ in_selected_period('adjustment_lines', 'applied_period_start') }}
    group by 1, 2, 3

),

staff as (

    select * from {{ ref('stg_raw__staff') }}

),

earnings as (

    select
        coalesce(period_earnings.tenant_id, adjustments_applied.tenant_id) as tenant_id,
        coalesce(period_earnings.staff_id, adjustments_applied.staff_id) as staff_id,
        coalesce(period_earnings.location_id, staff.home_location_id) as location_id,
        coalesce(period_earnings.salary_pay, 0) as salary_pay,
        {%- for column in corrected_columns + ['gross_pay'] %}
        coalesce(period_earnings.{{ column }}, 0)
        + coalesce(adjustments_applied.{{ column }}, 0) as {{ column }},
        {%- endfor %}
        coalesce(period_earnings.period_start, adjustments_applied.period_start)
            as period_start,
        coalesce(period_earnings.period_end, pay_periods.period_end) as period_end,
        coalesce(period_earnings.pay_date, pay_periods.pay_date) as pay_date,
        coalesce(period_earnings.periods_per_year, pay_periods.periods_per_year)
            as periods_per_year
    from period_earnings
    full outer join adjustments_applied
        on period_earnings.tenant_id = adjustments_applied.tenant_id
        and period_earnings.staff_id = adjustments_applied.staff_id
        and period_earnings.period_start = adjustments_applied.period_start
    -- a staff member paid only corrections has no earnings row of the period
    left join pay_periods
        on adjustments_applied.tenant_id = pay_periods.tenant_id
        and adjustments_applied.period_start = pay_periods.period_start
    left join staff
        on adjustments_applied.tenant_id = staff.tenant_id
        and adjustments_applied.staff_id = staff.staff_id

)

select * from earnings
