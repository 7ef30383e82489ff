{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_selected_period_rows() }}",
    )
}}
{#-
    The earnings statement of each staff member paid in a period, line by
    line (CONTRACT §7, California Labor Code 226(a)):
      hours         total hours worked, overtime and double-time hours
      earning       each rate with its hours and amount (fct_earnings by role
                    and rate), salary, the overtime premium, bonuses, tips,
                    the minimum-wage make-up and each premium
      adjustment    a correction to a finalized period, paid in this one,
                    naming the period it corrects (fct_payroll_adjustments)
      gross         gross pay
      tips_received cash tips the staff member already holds: in gross, not
                    in net
      deduction     401(k), section 125, post-tax deductions
      tax           federal and state income tax, Social Security, Medicare,
                    state disability insurance
      net           net pay
    Earnings and adjustments sum to gross; gross − tips received −
    deductions − taxes = net (tests/singular). Year to date: gross, every
    deduction, tax and net, over the periods paid in the pay date's year up
    to this one (int_payroll_paid).
-#}
with

paid as (

    select * from {{ ref('int_payroll_paid') }}

),

earnings as (

    select * from {{ ref('fct_earnings') }}

),

shift_parts as (

    select * from {{ ref('int_shift_parts_rated') }}

),

adjustments as (

    select * from {{ ref('fct_payroll_adjustments') }}

),

pay_periods as (

    select * from {{ ref('dim_pay_periods') }}

),

paid_with_year_to_date as (

    select
        {%- set year_to_date_columns = [
            'gross_pay', 'cash_tips_reported', 'retirement_401k', 'section_125',
            'post_tax_deductions', 'federal_income_tax', 'social_security_tax',
            'medicare_tax', 'state_income_tax', 'state_disability_tax', 'net_pay',
        ] %}
        paid.*,
    {%- for column in year_to_date_columns %}
    sum(paid.{{ column }}) over year_to_date as ytd_{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from paid
    window year_to_date as (
        partition by paid.tenant_id, paid.staff_id, extract(year from paid.pay_date)
        order by paid.pay_date, paid.period_start
        rows between unbounded preceding and current row
    )

),

registers as (

    select * from paid_with_year_to_date
    where is_in_build

),

-- one rate per role and day: a rate changes on an effective date
day_rates as (

    select
        tenant_id,
        staff_id,
        work_date,
        role,
        min(hourly_rate) as hourly_rate,
        max(hourly_rate) as highest_hourly_rate
    from shift_parts
    group by tenant_id, staff_id, work_date, role

),

earning_lines as (

    select
        earnings.tenant_id,
        earnings.staff_id,
        earnings.period_start,
        'earning' as line_kind,
        case earnings.earning_kind
            when 'straight_time' then 'Regular pay — ' || min(earnings.role)
            when 'salary' then 'Salary'
            when 'overtime_premium' then 'Overtime premium (overtime and double time)'
            when 'bonus' then 'Bonus'
            when 'discretionary_bonus' then 'Discretionary bonus'
            when 'card_tips' then 'Card tips (paid with wages)'
            when 'cash_tips' then 'Cash tips (reported)'
            when 'minimum_wage_makeup' then 'Minimum-wage make-up'
            when 'meal_period_premium' then 'Meal-period premium'
            when 'split_shift_premium' then 'Split-shift premium'
            when 'spread_of_hours_premium' then 'Spread-of-hours premium'
            else earnings.earning_kind
        end as description,
        nullif(sum(earnings.hours), 0) as hours,
        case
            when earnings.earning_kind = 'straight_time' then day_rates.hourly_rate
        end as rate,
        sum(earnings.amount) as amount
    from earnings
    left join day_rates
        on earnings.earning_kind = 'straight_time'
        and earnings.tenant_id = day_rates.tenant_id
        and earnings.staff_id = day_rates.staff_id
        and earnings.work_date = day_rates.work_date
        and earnings.role = day_rates.role
        and day_rates.hourly_rate = day_rates.highest_hourly_rate
    where {{ in_selected_period('earnings') }}
        and earnings.earning_kind not like 'adjustment\_%'
    group by
        earnings.tenant_id,
        earnings.staff_id,
        earnings.period_start,
        earnings.earning_kind,
        -- tips and premiums by role in fct_earnings: one line each here
        case when earnings.earning_kind = 'straight_time' then earnings.role end,
        day_rates.hourly_rate

),

adjustment_lines as (

    select
        adjustments.tenant_id,
        adjustments.staff_id,
        adjustments.applied_period_start as period_start,
        'adjustment' as line_kind,
        'Correction to period ' || corrected.period_start || ' – ' || corrected.period_end
            as description,
        sum(adjustments.delta_hours_worked) as hours,
        null::numeric as rate,
        sum(adjustments.delta_gross_pay) as amount
    from adjustments
    inner join pay_periods as corrected
        on adjustments.tenant_id = corrected.tenant_id
        and adjustments.original_period_start = corrected.period_start
    where {{ in_selected_period('adjustments', 'applied_period_start') }}
    group by
        adjustments.tenant_id,
        adjustments.staff_id,
        adjustments.applied_period_start,
        corrected.period_start,
        corrected.period_end

),

register_lines as (

    select
        r.tenant_id,
        r.staff_id,
        r.period_start,
        line.line_kind,
        line.description,
        line.hours,
        line.amount,
        line.ytd_amount,
        line.is_always_shown
    from registers as r
    cross join lateral (
        values
        ('gross', 'Gross pay', null::numeric, r.gross_pay, r.ytd_gross_pay, true),
        (
            'tips_received', 'Cash tips received (in gross, not in net)', null,
            r.cash_tips_reported, r.ytd_cash_tips_reported, false
        ),
        ('deduction', '401(k)', null, r.retirement_401k, r.ytd_retirement_401k, false),
        (
            'deduction', 'Section 125 (cafeteria plan)', null,
            r.section_125, r.ytd_section_125, false
        ),
        (
            'deduction', 'Post-tax deductions', null,
            r.post_tax_deductions, r.ytd_post_tax_deductions, false
        ),
        (
            'tax', 'Federal income tax', null,
            r.federal_income_tax, r.ytd_federal_income_tax, true
        ),
        (
            'tax', 'Social Security', null,
            r.social_security_tax, r.ytd_social_security_tax, true
        ),
        ('tax', 'Medicare', null, r.medicare_tax, r.ytd_medicare_tax, true),
        ('tax', 'State income tax', null, r.state_income_tax, r.ytd_state_income_tax, true),
        (
            'tax', 'State disability insurance', null,
            r.state_disability_tax, r.ytd_state_disability_tax, true
        ),
        ('net', 'Net pay', null, r.net_pay, r.ytd_net_pay, true)
    ) as line (line_kind, description, hours, amount, ytd_amount, is_always_shown)

),

hour_lines as (

    select
        registers.tenant_id,
        registers.staff_id,
        registers.period_start,
        'hours' as line_kind,
        line.description,
        line.hours
    from registers
    cross join
        lateral (
            values
            ('Total hours worked', registers.hours_worked, true),
            ('Overtime hours (1.5×)', registers.overtime_hours, false),
            ('Double-time hours (2×)', registers.double_time_hours, false)
        ) as line (description, hours, is_always_shown)
    where line.is_always_shown or line.hours <> 0

),

statement_lines as (

    select
        tenant_id,
        staff_id,
        period_start,
        line_kind,
        description,
        hours,
        null::numeric as rate,
        null::numeric as amount,
        null::numeric as ytd_amount
    from hour_lines
    union all
    select
        tenant_id,
        staff_id,
        period_start,
        line_kind,
        description,
        hours,
        rate,
        amount,
        null::numeric as ytd_amount
    from earning_lines
    union all
    select
        tenant_id,
        staff_id,
        period_start,
        line_kind,
        description,
        hours,
        rate,
        amount,
        null::numeric as ytd_amount
    from adjustment_lines
    union all
    select
        tenant_id,
        staff_id,
        period_start,
        line_kind,
        description,
        hours,
        null::numeric as rate,
        amount,
        ytd_amount
    from register_lines
    where is_always_shown or amount <> 0 or ytd_amount <> 0

),

final as (

    select
        ---------- ids
        tenant_id,
        staff_id,
        period_start,

        ---------- the line
        line_kind,
        description,
        hours,
        rate,
        {{ as_cents('amount') }} as amount,
        {{ as_cents('ytd_amount') }} as ytd_amount,

        ---------- audit
        {{ build_run_id_column() }} as run_id

    from statement_lines

)

select * from final
