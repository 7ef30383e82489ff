{{ config(materialized='table') }}
{#-
    One row per staff and pay period with pay: hours, straight time and
    tips by work date; overtime, tip credit, minimum-wage make-up and
    qualified overtime and the workday premiums of the workweeks ending in
    the period; bonuses by
    work date, and salary prorated by calendar days employed. Amounts are
    rounded to cents here, once.
-#}
with

pay_periods as (

    select * from {{ ref('dim_pay_periods') }}

),

shift_parts as (

    select * from {{ ref('int_shift_parts_rated') }}

),

workweeks as (

    select * from {{ ref('int_workweeks_summed') }}

),

premiums as (

    select * from {{ ref('int_workday_premiums') }}

),

adjustments as (

    select * from {{ ref('stg_raw__adjustments') }}

),

staff as (

    select * from {{ ref('stg_raw__staff') }}

),

-- the selected open period(s), and finalized ones recomputed for adjustments
selected_periods as (

    select *
    from pay_periods
    where {{ in_computed_period('pay_periods') }}

),

straight_time_by_work_date as (

    select
        selected_periods.tenant_id,
        shift_parts.staff_id,
        selected_periods.period_start,
        sum(shift_parts.hours_worked) as hours_worked,
        -- one division per staff and period: exact before rounding
        sum(shift_parts.straight_time_pay_seconds) / 3600 as straight_time_pay,
        0::numeric as overtime_hours,
        0::numeric as double_time_hours,
        0::numeric as overtime_premium_pay,
        0::numeric as bonus_pay,
        0::numeric as salary_pay,
        0::numeric as minimum_wage_makeup_pay,
        0::numeric as tip_credit,
        0::numeric as qualified_overtime_premium,
        -- tips belong to the period of their work date (CONTRACT §6)
        sum(shift_parts.card_tips) as card_tips_pay,
        sum(shift_parts.cash_tips) as cash_tips_reported,
        0::numeric as premium_pay
    from selected_periods
    inner join shift_parts
        on selected_periods.tenant_id = shift_parts.tenant_id
        and shift_parts.work_date
        between selected_periods.period_start and selected_periods.period_end
    group by 1, 2, 3

),

overtime_by_workweek_end as (

    select
        tenant_id,
        staff_id,
        period_start,
        0::numeric as hours_worked,
        0::numeric as straight_time_pay,
        sum(overtime_hours) as overtime_hours,
        sum(double_time_hours) as double_time_hours,
        sum(overtime_premium_pay) as overtime_premium_pay,
        0::numeric as bonus_pay,
        0::numeric as salary_pay,
        -- like overtime, in the period of the workweek's last day; exact
        -- sums, rounded once below
        sum(minimum_wage_makeup_pay) as minimum_wage_makeup_pay,
        sum(tip_credit) as tip_credit,
        sum(qualified_overtime_premium) as qualified_overtime_premium,
        0::numeric as card_tips_pay,
        0::numeric as cash_tips_reported,
        0::numeric as premium_pay
    from workweeks
    group by 1, 2, 3

),

bonuses_by_work_date as (

    select
        selected_periods.tenant_id,
        adjustments.staff_id,
        selected_periods.period_start,
        0::numeric as hours_worked,
        0::numeric as straight_time_pay,
        0::numeric as overtime_hours,
        0::numeric as double_time_hours,
        0::numeric as overtime_premium_pay,
        sum(adjustments.amount) as bonus_pay,
        0::numeric as salary_pay,
        0::numeric as minimum_wage_makeup_pay,
        0::numeric as tip_credit,
        0::numeric as qualified_overtime_premium,
        0::numeric as card_tips_pay,
        0::numeric as cash_tips_reported,
        0::numeric as premium_pay
    from selected_periods
    inner join adjustments
        on selected_periods.tenant_id = adjustments.tenant_id
        and adjustments.work_date
        between selected_periods.period_start and selected_periods.period_end
    group by 1, 2, 3

),

-- each premium rounded to cents (fct_pay_premiums), so they sum to it
premiums_by_workweek_end as (

    select
        tenant_id,
        staff_id,
        period_start,
        0::numeric as hours_worked,
        0::numeric as straight_time_pay,
        0::numeric as overtime_hours,
        0::numeric as double_time_hours,
        0::numeric as overtime_premium_pay,
        0::numeric as bonus_pay,
        0::numeric as salary_pay,
        0::numeric as minimum_wage_makeup_pay,
        0::numeric as tip_credit,
        0::numeric as qualified_overtime_premium,
        0::numeric as card_tips_pay,
        0::numeric as cash_tips_reported,
        sum(amount) as premium_pay
    from premiums
    group by 1, 2, 3

),

salary_prorated_by_days_employed as (

    select
        selected_periods.tenant_id,
        staff.staff_id,
        selected_periods.period_start,
        0::numeric as hours_worked,
        0::numeric as straight_time_pay,
        0::numeric as overtime_hours,
        0::numeric as double_time_hours,
        0::numeric as overtime_premium_pay,
        0::numeric as bonus_pay,
        staff.annual_salary / selected_periods.periods_per_year
        * (
            least(
                selected_periods.period_end,
                coalesce(staff.terminated_on, selected_periods.period_end)
            )
            - greatest(
                selected_periods.period_start,
                coalesce(staff.hired_on, selected_periods.period_start)
            )
            + 1
        )
        / selected_periods.period_days as salary_pay,
        0::numeric as minimum_wage_makeup_pay,
        0::numeric as tip_credit,
        0::numeric as qualified_overtime_premium,
        0::numeric as card_tips_pay,
        0::numeric as cash_tips_reported,
        0::numeric as premium_pay
    from selected_periods
    inner join staff
        on selected_periods.tenant_id = staff.tenant_id
    where staff.is_salaried
        and coalesce(staff.hired_on, selected_periods.period_start)
        <= selected_periods.period_end
        and coalesce(staff.terminated_on, selected_periods.period_end)
        >= selected_periods.period_start

),

earnings_lines as (

    select * from straight_time_by_work_date
    union all
    select * from overtime_by_workweek_end
    union all
    select * from bonuses_by_work_date
    union all
    select * from premiums_by_workweek_end
    union all
    select * from salary_prorated_by_days_employed

),

earnings_summed_to_period as (

    select
        tenant_id,
        staff_id,
        period_start,
        sum(hours_worked) as hours_worked,
        sum(overtime_hours) as overtime_hours,
        sum(double_time_hours) as double_time_hours,
        {{ round_money('sum(salary_pay)') }} as salary_pay,
        {{ round_money('sum(straight_time_pay)') }} as straight_time_pay,
        {{ round_money('sum(overtime_premium_pay)') }} as overtime_premium_pay,
        {{ round_money('sum(bonus_pay)') }} as bonus_pay,
        {{ round_money('sum(minimum_wage_makeup_pay)') }} as minimum_wage_makeup_pay,
        {{ round_money('sum(tip_credit)') }} as tip_credit,
        {{ round_money('sum(qualified_overtime_premium)') }}
            as qualified_overtime_premium,
        {{ round_money('sum(card_tips_pay)') }} as card_tips_pay,
        {{ round_money('sum(cash_tips_reported)') }} as cash_tips_reported,
        sum(premium_pay) as premium_pay
    from earnings_lines
    group by 1, 2, 3

),

final as (

    select
        ---------- ids
        earnings_summed_to_period.tenant_id,
        earnings_summed_to_period.staff_id,
        staff.home_location_id as location_id,

        ---------- numerics
        round(earnings_summed_to_period.hours_worked, 4) as hours_worked,
        round(earnings_summed_to_period.overtime_hours, 4) as overtime_hours,
        round(earnings_summed_to_period.double_time_hours, 4)
            as double_time_hours,
        earnings_summed_to_period.salary_pay,
        earnings_summed_to_period.straight_time_pay,
        earnings_summed_to_period.overtime_premium_pay,
        earnings_summed_to_period.bonus_pay,
        earnings_summed_to_period.minimum_wage_makeup_pay,
        earnings_summed_to_period.card_tips_pay,
        earnings_summed_to_period.cash_tips_reported,
        earnings_summed_to_period.premium_pay,
        earnings_summed_to_period.tip_credit,
        earnings_summed_to_period.qualified_overtime_premium,
        earnings_summed_to_period.salary_pay
        + earnings_summed_to_period.straight_time_pay
        + earnings_summed_to_period.overtime_premium_pay
        + earnings_summed_to_period.bonus_pay
        + earnings_summed_to_period.minimum_wage_makeup_pay
        + earnings_summed_to_period.card_tips_pay
        + earnings_summed_to_period.cash_tips_reported
        + earnings_summed_to_period.premium_pay as gross_pay,

        ---------- dates
        selected_periods.period_start,
        selected_periods.period_end,
        selected_periods.pay_date,
        selected_periods.periods_per_year

    from earnings_summed_to_period
    inner join selected_periods
        on earnings_summed_to_period.tenant_id = selected_periods.tenant_id
        and earnings_summed_to_period.period_start
        = selected_periods.period_start
    inner join staff
        on earnings_summed_to_period.tenant_id = staff.tenant_id
        and earnings_summed_to_period.staff_id = staff.staff_id
    where earnings_summed_to_period.hours_worked > 0
        or earnings_summed_to_period.salary_pay > 0
        or earnings_summed_to_period.bonus_pay <> 0
        or earnings_summed_to_period.overtime_premium_pay > 0
        or earnings_summed_to_period.minimum_wage_makeup_pay > 0
        or earnings_summed_to_period.tip_credit > 0
        or earnings_summed_to_period.card_tips_pay > 0
        or earnings_summed_to_period.cash_tips_reported > 0
        or earnings_summed_to_period.premium_pay > 0

)

select * from final
