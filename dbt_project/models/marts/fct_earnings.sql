{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_selected_period_rows() }}",
    )
}}
{#-
    Every dollar of fct_payroll's earnings, line by line: one row per staff,
    work date, role and earning kind, pointing back to the raw attendance
    event_ids (or adjustment_ids) it was computed from. Lines carry cents
    allocated by largest remainder, so per staff, period and component they
    sum exactly to fct_payroll's rounded amount.
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

adjustments as (

    select * from {{ ref('stg_raw__adjustments') }}

),

earnings as (

    select * from {{ ref('int_period_earnings') }}

),

premiums as (

    select * from {{ ref('int_workday_premiums') }}

),

selected_periods as (

    select *
    from pay_periods
    where {{ in_selected_period('pay_periods') }}

),

straight_time_lines as (

    select
        selected_periods.tenant_id,
        shift_parts.staff_id,
        selected_periods.period_start,
        shift_parts.work_date,
        shift_parts.role,
        'straight_time' as earning_kind,
        'straight_time_pay' as payroll_column,
        sum(shift_parts.hours_worked) as hours,
        sum(shift_parts.straight_time_pay_seconds) / 3600 as exact_amount,
        sum(shift_parts.straight_time_pay_seconds) as exact_amount_x3600,
        array_agg(distinct shift_parts.event_id order by shift_parts.event_id)
            as source_ids
    from selected_periods
    inner join shift_parts
        on selected_periods.tenant_id = shift_parts.tenant_id
        and shift_parts.work_date
        between selected_periods.period_start and selected_periods.period_end
    where not shift_parts.is_salaried
    group by 1, 2, 3, 4, 5

),

-- the items of a workweek, on its last day: the overtime premium and the
-- minimum-wage make-up (CONTRACT §6), each pointing at the week's events
workweek_lines as (

    select
        workweeks.tenant_id,
        workweeks.staff_id,
        workweeks.period_start,
        workweeks.workweek_end as work_date,
        null::text as role,
        items.earning_kind,
        items.payroll_column,
        items.hours,
        items.amount as exact_amount,
        items.amount * 3600 as exact_amount_x3600,
        array_agg(distinct shift_parts.event_id order by shift_parts.event_id)
            as source_ids
    from workweeks
    cross join
        lateral (
            values
            (
                'overtime_premium',
                'overtime_premium_pay',
                workweeks.overtime_hours + workweeks.double_time_hours,
                workweeks.overtime_premium_pay
            ),
            (
                'minimum_wage_makeup',
                'minimum_wage_makeup_pay',
                0::numeric,
                workweeks.minimum_wage_makeup_pay
            )
        ) as items (earning_kind, payroll_column, hours, amount)
    inner join shift_parts
        on workweeks.tenant_id = shift_parts.tenant_id
        and workweeks.staff_id = shift_parts.staff_id
        and workweeks.workweek_start = shift_parts.workweek_start
    where items.amount > 0
        and {{ in_selected_period('workweeks') }}
    group by 1, 2, 3, 4, 5, 6, 7, 8, 9, 10

),

-- CONTRACT §6: card and cash tips by work date and role (the shift's first
-- part holds them), and one line per workday premium
tip_lines as (

    select
        selected_periods.tenant_id,
        shift_parts.staff_id,
        selected_periods.period_start,
        shift_parts.work_date,
        shift_parts.role,
        tips.earning_kind,
        tips.payroll_column,
        0::numeric as hours,
        sum(tips.amount) as exact_amount,
        sum(tips.amount) * 3600 as exact_amount_x3600,
        array_agg(distinct shift_parts.event_id order by shift_parts.event_id)
            as source_ids
    from selected_periods
    inner join shift_parts
        on selected_periods.tenant_id = shift_parts.tenant_id
        and shift_parts.work_date
        between selected_periods.period_start and selected_periods.period_end
    cross join
        lateral (
            values
            ('card_tips', 'card_tips_pay', shift_parts.card_tips),
            ('cash_tips', 'cash_tips_reported', shift_parts.cash_tips)
        ) as tips (earning_kind, payroll_column, amount)
    where tips.amount <> 0
    group by 1, 2, 3, 4, 5, 6, 7

),

premium_lines as (

    select
        tenant_id,
        staff_id,
        period_start,
        work_date,
        null::text as role,
        kind || '_premium' as earning_kind,
        'premium_pay' as payroll_column,
        0::numeric as hours,
        amount as exact_amount,
        amount * 3600 as exact_amount_x3600,
        source_ids
    from premiums
    where {{ in_selected_period('premiums') }}

),

bonus_lines as (

    select
        selected_periods.tenant_id,
        adjustments.staff_id,
        selected_periods.period_start,
        adjustments.work_date,
        null::text as role,
        adjustments.kind as earning_kind,
        'bonus_pay' as payroll_column,
        0::numeric as hours,
        sum(adjustments.amount) as exact_amount,
        sum(adjustments.amount) * 3600 as exact_amount_x3600,
        array_agg(adjustments.adjustment_id order by adjustments.adjustment_id)
            as source_ids
    from selected_periods
    inner join adjustments
        on selected_periods.tenant_id = adjustments.tenant_id
        and adjustments.work_date
        between selected_periods.period_start and selected_periods.period_end
    group by 1, 2, 3, 4, 5, 6, 7

),

salary_lines as (

    select
        tenant_id,
        staff_id,
        period_start,
        period_end as work_date,
        null::text as role,
        'salary' as earning_kind,
        'salary_pay' as payroll_column,
        0::numeric as hours,
        salary_pay as exact_amount,
        salary_pay * 3600 as exact_amount_x3600,
        array[]::text[] as source_ids
    from earnings
    where salary_pay <> 0
        and {{ in_selected_period('earnings') }}

),

-- corrections to finalized periods paid in this one, dated by the period
-- they correct, pointing to the events that changed
adjustment_lines as (

    select
        adjustment_lines.tenant_id,
        adjustment_lines.staff_id,
        adjustment_lines.applied_period_start as period_start,
        adjustment_lines.original_period_start as work_date,
        null::text as role,
        'adjustment_' || components.earning_kind as earning_kind,
        components.payroll_column,
        components.hours,
        components.amount as exact_amount,
        components.amount * 3600 as exact_amount_x3600,
        adjustment_lines.source_ids
    from {{ ref('fct_payroll_adjustments') }} as adjustment_lines
    cross join
        lateral (
            values
            (
                'straight_time',
                'straight_time_pay',
                adjustment_lines.delta_hours_worked,
                adjustment_lines.delta_straight_time_pay
            ),
            (
                'overtime_premium',
                'overtime_premium_pay',
                adjustment_lines.delta_overtime_hours
                + adjustment_lines.delta_double_time_hours,
                adjustment_lines.delta_overtime_premium_pay
            ),
            ('bonus', 'bonus_pay', 0::numeric, adjustment_lines.delta_bonus_pay),
            (
                'minimum_wage_makeup',
                'minimum_wage_makeup_pay',
                0::numeric,
                adjustment_lines.delta_minimum_wage_makeup_pay
            ),
            ('premium', 'premium_pay', 0::numeric, adjustment_lines.delta_premium_pay),
            ('card_tips', 'card_tips_pay', 0::numeric, adjustment_lines.delta_card_tips_pay),
            (
                'cash_tips',
                'cash_tips_reported',
                0::numeric,
                adjustment_lines.delta_cash_tips_reported
            )
        ) as components (earning_kind, payroll_column, hours, amount)
    where {{ in_selected_period('adjustment_lines', 'applied_period_start') }}
        and (components.amount <> 0 or components.hours <> 0)

),

earning_lines as (

    select * from straight_time_lines
    union all
    select * from workweek_lines
    union all
    select * from tip_lines
    union all
    select * from premium_lines
    union all
    select * from bonus_lines
    union all
    select * from salary_lines
    union all
    select * from adjustment_lines

),

cents_floored as (

    select
        earning_lines.*,
        floor(exact_amount * 100) as floored_cents,
        exact_amount * 100 - floor(exact_amount * 100) as remainder_cents,
        -- the component's total as fct_payroll rounds it (one division)
        round(sum(exact_amount_x3600) over component / 36)
        - sum(floor(exact_amount * 100)) over component as cents_to_allocate,
        row_number() over (
            partition by tenant_id, staff_id, period_start, payroll_column
            order by
                exact_amount * 100 - floor(exact_amount * 100) desc,
                work_date,
                role asc
        ) as remainder_rank
    from earning_lines
    window component as (
        partition by tenant_id, staff_id, period_start, payroll_column
    )

),

final as (

    select
        ---------- ids
        tenant_id,
        staff_id,

        ---------- text
        role,
        earning_kind,
        payroll_column,
        source_ids,

        ---------- numerics
        round(hours, 4) as hours,
        (
            (
                floored_cents
                + case when remainder_rank <= cents_to_allocate then 1 else 0 end
            ) / 100
        )::numeric(14, 2) as amount,

        ---------- dates
        period_start,
        work_date,

        ---------- audit
        {{ build_run_id_column() }} as run_id

    from cents_floored

)

select * from final
