{#-
    One row per staff and workweek: hours, straight-time pay, the
    non-discretionary bonuses dated in the week, the FLSA weighted regular
    rate and the overtime premium. Overtime = the days' state overtime plus
    the weekly overtime on the hours that were not already daily overtime or
    double time (no pyramiding). A workweek is paid (overtime included) in
    the period that holds its last day.
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

hours_summed_to_workweek as (

    select
        tenant_id,
        staff_id,
        workweek_start,
        -- the weekly rule of the state where most of the week was worked
        mode() within group (order by jurisdiction) as jurisdiction,
        bool_and(is_overtime_eligible) as is_overtime_eligible,
        sum(hours_worked) as hours_worked,
        sum(straight_time_pay) as straight_time_pay,
        sum(daily_overtime_hours) as daily_overtime_hours,
        sum(daily_double_time_hours) as daily_double_time_hours
    from workdays
    group by tenant_id, staff_id, workweek_start

),

non_discretionary_bonuses_by_workweek as (

    select
        adjustments.tenant_id,
        adjustments.staff_id,
        adjustments.work_date - (
            (extract(dow from adjustments.work_date)::integer
            - tenants.workweek_start_dow + 7) % 7
        ) as workweek_start,
        sum(adjustments.amount) as bonus_pay
    from adjustments
    inner join tenants
        on adjustments.tenant_id = tenants.tenant_id
    where adjustments.is_non_discretionary
    group by 1, 2, 3

),

workweeks_with_threshold as (

    select
        hours_summed_to_workweek.*,
        coalesce(non_discretionary_bonuses_by_workweek.bonus_pay, 0)
            as bonus_pay,
        (
            -- the state's weekly threshold, else the federal one
            select rules.weekly_overtime_threshold_hours
            from overtime_rules as rules
            where rules.jurisdiction
                in (hours_summed_to_workweek.jurisdiction, 'US')
                and rules.weekly_overtime_threshold_hours is not null
                and hours_summed_to_workweek.workweek_start
                between rules.effective_from
                and coalesce(rules.effective_to, 'infinity'::date)
            order by rules.jurisdiction = 'US', rules.effective_from desc
            limit 1
        ) as weekly_overtime_threshold_hours
    from hours_summed_to_workweek
    left join non_discretionary_bonuses_by_workweek
        on hours_summed_to_workweek.tenant_id
        = non_discretionary_bonuses_by_workweek.tenant_id
        and hours_summed_to_workweek.staff_id
        = non_discretionary_bonuses_by_workweek.staff_id
        and hours_summed_to_workweek.workweek_start
        = non_discretionary_bonuses_by_workweek.workweek_start

),

regular_rate_computed as (

    select
        workweeks_with_threshold.*,
        case
            when is_overtime_eligible and hours_worked > 0
                then round((straight_time_pay + bonus_pay) / hours_worked, 6)
        end as regular_rate,
        case
            when is_overtime_eligible
                then daily_overtime_hours + greatest(
                    0,
                    hours_worked - daily_overtime_hours - daily_double_time_hours
                    - weekly_overtime_threshold_hours
                )
            else 0
        end as overtime_hours,
        case
            when is_overtime_eligible then daily_double_time_hours else 0
        end as double_time_hours
    from workweeks_with_threshold

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
        -- the regular rate is divided last so the premium stays exact:
        -- (0.5 × OT + 1.0 × DT) × (straight time + bonuses) ÷ hours
        case
            when regular_rate_computed.regular_rate is not null
                then (
                    0.5 * regular_rate_computed.overtime_hours
                    + 1.0 * regular_rate_computed.double_time_hours
                )
                * (
                    regular_rate_computed.straight_time_pay
                    + regular_rate_computed.bonus_pay
                )
                / regular_rate_computed.hours_worked
            else 0
        end as overtime_premium_pay,

        ---------- dates
        regular_rate_computed.workweek_start,
        regular_rate_computed.workweek_start + 6 as workweek_end,
        pay_periods.period_start

    from regular_rate_computed
    inner join pay_periods
        on regular_rate_computed.tenant_id = pay_periods.tenant_id
        and regular_rate_computed.workweek_start + 6
        between pay_periods.period_start and pay_periods.period_end
    where {{ in_selected_period('pay_periods') }}

)

select * from final
