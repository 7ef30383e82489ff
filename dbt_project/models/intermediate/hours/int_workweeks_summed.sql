{{ config(materialized='table') }}
{#- A table: the run's models and tests read it several times; computed once. -#}
{#-
    One row per staff and workweek: hours, straight-time pay, the
    non-discretionary bonuses dated in the week, the FLSA weighted regular
    rate and the overtime premium. Overtime = the days' state overtime plus
    the weekly overtime on the hours that were not already daily overtime or
    double time (no pyramiding). A workweek is paid (overtime included) in
    the period that holds its last day.

    CONTRACT §6, for non-exempt hourly staff: tip credit taken = min(the
    capacity of the week's tipped-rate parts, the week's tips); minimum-wage
    make-up = what the parts' minimum wages require beyond straight time and
    tip credit; both enter the regular rate. Qualified overtime = 0.5 ×
    regular rate × hours over the FLSA's 40, whatever a state added. Money
    stays in exact rate × seconds until the one division.
-#}
with

workdays as (

    select * from {{ ref('int_workdays_summed') }}

),

adjustments as (

    select * from {{ ref('stg_raw__adjustments') }}

),

tenants as (

    select * from {{ ref('stg_raw__tenants') }}

),

pay_periods as (

    select * from {{ ref('dim_pay_periods') }}

),

overtime_rules as (

    select * from {{ ref('overtime_rules') }}

),

time_summed_to_workweek as (

    select
        tenant_id,
        staff_id,
        workweek_start,
        -- the weekly rule of the state where most of the week was worked
        mode() within group (order by jurisdiction) as jurisdiction,
        bool_and(is_overtime_eligible) as is_overtime_eligible,
        sum(seconds_worked) as seconds_worked,
        sum(straight_time_pay_seconds) as straight_time_pay_seconds,
        sum(daily_overtime_seconds) as daily_overtime_seconds,
        sum(daily_double_time_seconds) as daily_double_time_seconds,
        coalesce(sum(minimum_wage_pay_seconds), 0) as minimum_wage_pay_seconds,
        coalesce(sum(tip_credit_capacity_seconds), 0) as tip_credit_capacity_seconds,
        coalesce(sum(tips), 0) as tips
    from workdays
    group by tenant_id, staff_id, workweek_start

),

non_discretionary_bonuses_by_workweek as (

    select
        adjustments.tenant_id,
        adjustments.staff_id,
        adjustments.work_date - (
            (
                extract(dow from adjustments.work_date)::integer
                - tenants.workweek_start_dow + 7
            ) % 7
        ) as workweek_start,
        sum(adjustments.amount) as bonus_pay
    from adjustments
    inner join tenants
        on adjustments.tenant_id = tenants.tenant_id
    where adjustments.is_non_discretionary
    -- by position: the name workweek_start would bind to tenants' column
    group by 1, 2, 3  -- noqa: AM06

),

-- materialized: planned on its own, the bonus join stays a hash join (joined
-- after the period filter, estimated at one row, it became a nested loop)
workweeks_with_threshold as materialized (

    select
        time_summed_to_workweek.*,
        coalesce(non_discretionary_bonuses_by_workweek.bonus_pay, 0)
            as bonus_pay,
        (
            -- the state's weekly threshold, else the federal one
            select rules.weekly_overtime_threshold_hours
            from overtime_rules as rules
            where rules.jurisdiction
                in (time_summed_to_workweek.jurisdiction, 'US')
                and rules.weekly_overtime_threshold_hours is not null
                and time_summed_to_workweek.workweek_start
                between rules.effective_from
                and coalesce(rules.effective_to, 'infinity'::date)
            order by rules.jurisdiction = 'US', rules.effective_from desc
            limit 1
        ) as weekly_overtime_threshold_hours,
        (
            select rules.weekly_overtime_threshold_hours
            from overtime_rules as rules
            where rules.jurisdiction = 'US'
                and time_summed_to_workweek.workweek_start
                between rules.effective_from
                and coalesce(rules.effective_to, 'infinity'::date)
            order by rules.effective_from desc
            limit 1
        ) as flsa_weekly_overtime_threshold_hours
    from time_summed_to_workweek
    left join non_discretionary_bonuses_by_workweek
        on time_summed_to_workweek.tenant_id
        = non_discretionary_bonuses_by_workweek.tenant_id
        and time_summed_to_workweek.staff_id
        = non_discretionary_bonuses_by_workweek.staff_id
        and time_summed_to_workweek.workweek_start
        = non_discretionary_bonuses_by_workweek.workweek_start

),

overtime_computed as (

    select
        workweeks_with_threshold.*,
        case
            when is_overtime_eligible
                then
                    daily_overtime_seconds
                    + greatest(
                        0,
                        seconds_worked - daily_overtime_seconds
                        - daily_double_time_seconds
                        - weekly_overtime_threshold_hours * 3600
                    )
            else 0
        end as overtime_seconds,
        case
            when is_overtime_eligible then daily_double_time_seconds else 0
        end as double_time_seconds
    from workweeks_with_threshold

),

tip_credit_and_makeup as (

    -- in rate × seconds (exact): tip credit = min(capacity, tips); make-up =
    -- the minimum wage's pay beyond straight time and tip credit
    select
        overtime_computed.*,
        case
            when is_overtime_eligible
                then least(tip_credit_capacity_seconds, 3600 * tips)
            else 0
        end as tip_credit_seconds,
        case
            when is_overtime_eligible
                then greatest(
                        0,
                        minimum_wage_pay_seconds - straight_time_pay_seconds
                        - least(tip_credit_capacity_seconds, 3600 * tips)
                    )
            else 0
        end as minimum_wage_makeup_seconds
    from overtime_computed

),

regular_rate_pay as (

    -- the regular rate's numerator, × 3600: straight time, non-discretionary
    -- bonuses, tip credit and make-up
    select
        tip_credit_and_makeup.*,
        straight_time_pay_seconds + 3600 * bonus_pay + tip_credit_seconds
        + minimum_wage_makeup_seconds as regular_rate_pay_seconds
    from tip_credit_and_makeup

),

regular_rate_computed as (

    select
        regular_rate_pay.*,
        round(seconds_worked / 3600, 6) as hours_worked,
        round(overtime_seconds / 3600, 6) as overtime_hours,
        round(double_time_seconds / 3600, 6) as double_time_hours,
        straight_time_pay_seconds / 3600 as straight_time_pay,
        tip_credit_seconds / 3600 as tip_credit,
        minimum_wage_makeup_seconds / 3600 as minimum_wage_makeup_pay,
        -- unrounded: the mart rounds it once (rounding here first would
        -- round 21.40204999… up to 21.4021 through 21.402050)
        case
            when is_overtime_eligible and seconds_worked > 0
                then regular_rate_pay_seconds / seconds_worked
        end as regular_rate,
        -- (0.5 × OT + 1.0 × DT) × regular rate with one division, last, so
        -- the premium is exact wherever a decimal can be
        case
            when is_overtime_eligible and seconds_worked > 0
                then (0.5 * overtime_seconds + 1.0 * double_time_seconds)
                    * regular_rate_pay_seconds
                    / (3600 * seconds_worked)
            else 0
        end as overtime_premium_pay,
        case
            when is_overtime_eligible and seconds_worked > 0
                then 0.5 * greatest(
                        0, seconds_worked - flsa_weekly_overtime_threshold_hours * 3600
                    ) * regular_rate_pay_seconds / (3600 * seconds_worked)
            else 0
        end as qualified_overtime_premium
    from regular_rate_pay

),

final as (

    select
        ---------- ids
        regular_rate_computed.tenant_id,
        regular_rate_computed.staff_id,

        ---------- booleans
        regular_rate_computed.is_overtime_eligible,

        ---------- numerics
        regular_rate_computed.hours_worked,
        regular_rate_computed.overtime_hours,
        regular_rate_computed.double_time_hours,
        regular_rate_computed.straight_time_pay,
        regular_rate_computed.bonus_pay,
        regular_rate_computed.regular_rate,
        regular_rate_computed.overtime_premium_pay,
        regular_rate_computed.tips,
        regular_rate_computed.tip_credit,
        regular_rate_computed.minimum_wage_makeup_pay,
        regular_rate_computed.qualified_overtime_premium,

        ---------- dates
        regular_rate_computed.workweek_start,
        regular_rate_computed.workweek_start + 6 as workweek_end,
        pay_periods.period_start

    from regular_rate_computed
    inner join pay_periods
        on regular_rate_computed.tenant_id = pay_periods.tenant_id
        and regular_rate_computed.workweek_start + 6
        between pay_periods.period_start and pay_periods.period_end
    where {{ in_computed_period('pay_periods') }}

)

select * from final
