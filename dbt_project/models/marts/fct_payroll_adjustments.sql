{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_selected_period_rows('applied_period_start') }}",
    )
}}
{#-
    Corrections to finalized periods, paid in the first open period after
    them. For each finalized period whose inputs changed after finalization:

        delta = recomputed earnings
                − (published fct_payroll − adjustments it paid itself)
                − adjustments of it already paid in other finalized periods

    so a correction is paid exactly once, however many runs see it, and the
    overtime of every workweek ending in the corrected period is part of the
    recomputation. The finalized rows themselves never change. Salary is not
    adjusted (it does not depend on punches).
-#}
with

computed_periods as (

    select * from {{ ref('int_pay_periods_computed') }}

),

earnings as (

    select * from {{ ref('int_period_earnings') }}

),

attendance as (

    select * from {{ ref('stg_raw__attendance') }}

),

superseded as (

    select * from {{ ref('stg_raw__attendance_superseded') }}

),

adjustments as (

    select * from {{ ref('stg_raw__adjustments') }}

),

-- read by paid_adjustments (an incremental build only)
finalizations as (  -- noqa: ST03

    select * from {{ ref('stg_control__pay_period_finalizations') }}

),

finalized_corrected_periods as (

    select *
    from computed_periods
    where is_finalized
        and {{ in_selected_period('computed_periods', 'applied_period_start') }}

),

{% if is_incremental() -%}
paid_adjustments as (

    select
        adjustment_lines.*,
        finalizations.finalized_at as paid_finalized_at
    from {{ this }} as adjustment_lines
    inner join finalizations
        on adjustment_lines.tenant_id = finalizations.tenant_id
        and adjustment_lines.applied_period_start = finalizations.period_start

),
{%- endif %}

-- inputs changed since the period's corrections were last settled: its own
-- finalization, or that of the latest period that paid corrections of it
corrected_periods as (

    select
        finalized_corrected_periods.*,
        {% if is_incremental() -%}
        greatest(
            finalized_corrected_periods.finalized_at,
            (
                select max(paid_adjustments.paid_finalized_at)
                from paid_adjustments
                where paid_adjustments.tenant_id = finalized_corrected_periods.tenant_id
                    and paid_adjustments.original_period_start
                    = finalized_corrected_periods.period_start
            )
        )
        {%- else -%}
        finalized_corrected_periods.finalized_at
        {%- endif %} as changes_since
    from finalized_corrected_periods

),

recomputed as (

    select
        earnings.tenant_id,
        earnings.staff_id,
        earnings.period_start,
        earnings.hours_worked,
        earnings.overtime_hours,
        earnings.double_time_hours,
        earnings.straight_time_pay,
        earnings.overtime_premium_pay,
        earnings.bonus_pay
    from earnings
    inner join corrected_periods
        on earnings.tenant_id = corrected_periods.tenant_id
        and earnings.period_start = corrected_periods.period_start

),

-- what the finalized period published, less the corrections it paid for
-- earlier periods (those are not its own earnings)
published as (

    select
        payroll.tenant_id,
        payroll.staff_id,
        payroll.period_start,
        payroll.hours_worked,
        payroll.overtime_hours,
        payroll.double_time_hours,
        payroll.straight_time_pay,
        payroll.overtime_premium_pay,
        payroll.bonus_pay
    from {{ ref('stg_published__fct_payroll') }} as payroll
    inner join corrected_periods
        on payroll.tenant_id = corrected_periods.tenant_id
        and payroll.period_start = corrected_periods.period_start

),

-- signed contributions: + now, − as published, + corrections paid inside
-- the published row, − corrections of this period already paid elsewhere
contributions as (

    select
        tenant_id,
        staff_id,
        period_start,
        hours_worked,
        overtime_hours,
        double_time_hours,
        straight_time_pay,
        overtime_premium_pay,
        bonus_pay
    from recomputed

    union all

    select
        tenant_id,
        staff_id,
        period_start,
        -hours_worked as hours_worked,
        -overtime_hours as overtime_hours,
        -double_time_hours as double_time_hours,
        -straight_time_pay as straight_time_pay,
        -overtime_premium_pay as overtime_premium_pay,
        -bonus_pay as bonus_pay
    from published

    {% if is_incremental() -%}
    union all

    select
        paid_adjustments.tenant_id,
        paid_adjustments.staff_id,
        paid_adjustments.applied_period_start,
        paid_adjustments.delta_hours_worked,
        paid_adjustments.delta_overtime_hours,
        paid_adjustments.delta_double_time_hours,
        paid_adjustments.delta_straight_time_pay,
        paid_adjustments.delta_overtime_premium_pay,
        paid_adjustments.delta_bonus_pay
    from paid_adjustments
    inner join corrected_periods
        on paid_adjustments.tenant_id = corrected_periods.tenant_id
        and paid_adjustments.applied_period_start = corrected_periods.period_start

    union all

    select
        paid_adjustments.tenant_id,
        paid_adjustments.staff_id,
        paid_adjustments.original_period_start,
        -paid_adjustments.delta_hours_worked as hours_worked,
        -paid_adjustments.delta_overtime_hours as overtime_hours,
        -paid_adjustments.delta_double_time_hours as double_time_hours,
        -paid_adjustments.delta_straight_time_pay as straight_time_pay,
        -paid_adjustments.delta_overtime_premium_pay as overtime_premium_pay,
        -paid_adjustments.delta_bonus_pay as bonus_pay
    from paid_adjustments
    inner join corrected_periods
        on paid_adjustments.tenant_id = corrected_periods.tenant_id
        and paid_adjustments.original_period_start = corrected_periods.period_start
    {%- endif %}

),

deltas as (

    select
        tenant_id,
        staff_id,
        period_start,
        sum(hours_worked) as delta_hours_worked,
        sum(overtime_hours) as delta_overtime_hours,
        sum(double_time_hours) as delta_double_time_hours,
        sum(straight_time_pay) as delta_straight_time_pay,
        sum(overtime_premium_pay) as delta_overtime_premium_pay,
        sum(bonus_pay) as delta_bonus_pay
    from contributions
    group by 1, 2, 3

),

-- the inputs of each staff member that changed after finalization
changed_events as (

    select
        corrected_periods.tenant_id,
        corrected_periods.period_start,
        attendance.staff_id,
        attendance.event_id,
        'late_punch' as reason
    from corrected_periods
    inner join attendance
        on corrected_periods.tenant_id = attendance.tenant_id
        and attendance.clock_in_at >= corrected_periods.attendance_from
        and attendance.clock_in_at < corrected_periods.attendance_to
        and attendance.loaded_at > corrected_periods.changes_since

    union all

    select
        corrected_periods.tenant_id,
        corrected_periods.period_start,
        superseded.staff_id,
        superseded.event_id,
        'corrected_punch' as reason
    from corrected_periods
    inner join superseded
        on corrected_periods.tenant_id = superseded.tenant_id
        and superseded.reason = 'replaced_by_correction'
        and superseded.superseded_at > corrected_periods.changes_since
        and superseded.clock_in_at >= corrected_periods.attendance_from
        and superseded.clock_in_at < corrected_periods.attendance_to

    union all

    select
        corrected_periods.tenant_id,
        corrected_periods.period_start,
        adjustments.staff_id,
        adjustments.adjustment_id,
        'late_bonus' as reason
    from corrected_periods
    inner join adjustments
        on corrected_periods.tenant_id = adjustments.tenant_id
        and adjustments.work_date
        between corrected_periods.period_start and corrected_periods.period_end
        and adjustments.loaded_at > corrected_periods.changes_since

),

changes_by_staff as (

    select
        tenant_id,
        period_start,
        staff_id,
        -- a correction of a punch outranks a late one, a late one a bonus
        case
            when bool_or(reason = 'corrected_punch') then 'corrected_punch'
            when bool_or(reason = 'late_punch') then 'late_punch'
            else 'late_bonus'
        end as reason,
        array_agg(distinct event_id order by event_id) as source_ids
    from changed_events
    group by 1, 2, 3

),

final as (

    select
        ---------- ids
        deltas.tenant_id,
        deltas.staff_id,

        ---------- text
        coalesce(changes_by_staff.reason, 'recomputed') as reason,
        coalesce(changes_by_staff.source_ids, array[]::text[]) as source_ids,

        ---------- numerics
        round(deltas.delta_hours_worked, 4) as delta_hours_worked,
        round(deltas.delta_overtime_hours, 4) as delta_overtime_hours,
        round(deltas.delta_double_time_hours, 4) as delta_double_time_hours,
        deltas.delta_straight_time_pay::numeric(14, 2) as delta_straight_time_pay,
        deltas.delta_overtime_premium_pay::numeric(14, 2) as delta_overtime_premium_pay,
        deltas.delta_bonus_pay::numeric(14, 2) as delta_bonus_pay,
        (
            deltas.delta_straight_time_pay
            + deltas.delta_overtime_premium_pay
            + deltas.delta_bonus_pay
        )::numeric(14, 2) as delta_gross_pay,

        ---------- dates
        deltas.period_start as original_period_start,
        corrected_periods.applied_period_start,

        ---------- audit
        {{ build_run_id_column() }} as run_id

    from deltas
    inner join corrected_periods
        on deltas.tenant_id = corrected_periods.tenant_id
        and deltas.period_start = corrected_periods.period_start
    left join changes_by_staff
        on deltas.tenant_id = changes_by_staff.tenant_id
        and deltas.period_start = changes_by_staff.period_start
        and deltas.staff_id = changes_by_staff.staff_id
    where deltas.delta_hours_worked <> 0
        or deltas.delta_overtime_hours <> 0
        or deltas.delta_double_time_hours <> 0
        or deltas.delta_straight_time_pay <> 0
        or deltas.delta_overtime_premium_pay <> 0
        or deltas.delta_bonus_pay <> 0

)

select * from final
