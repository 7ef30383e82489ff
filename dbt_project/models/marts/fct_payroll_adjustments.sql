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
    adjusted (it does not depend on punches). The §6 items (make-up, tips,
    premiums, tip credit, qualified overtime) are corrected like the rest.
-#}
{%- set corrected_hours = corrected_hour_columns() -%}
{%- set corrected_gross_parts = corrected_gross_pay_columns() -%}
{%- set corrected_money = corrected_money_columns() -%}
{%- set corrected_columns = corrected_pay_columns() -%}
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
    {%- for column in corrected_columns %}
    earnings.{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
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
    {%- for column in corrected_columns %}
    payroll.{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
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
    {%- for column in corrected_columns %}
    {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from recomputed

    union all

    select
        tenant_id,
        staff_id,
        period_start,
    {%- for column in corrected_columns %}
    -{{ column }} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from published

    {% if is_incremental() -%}
    union all

    select
        paid_adjustments.tenant_id,
        paid_adjustments.staff_id,
        paid_adjustments.applied_period_start,
    {%- for column in corrected_columns %}
    paid_adjustments.delta_{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
    from paid_adjustments
    inner join corrected_periods
        on paid_adjustments.tenant_id = corrected_periods.tenant_id
        and paid_adjustments.applied_period_start = corrected_periods.period_start

    union all

    select
        paid_adjustments.tenant_id,
        paid_adjustments.staff_id,
        paid_adjustments.original_period_start,
    {%- for column in corrected_columns %}
    -paid_adjustments.delta_{{ column }} as {{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
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
    {%- for column in corrected_columns %}
    sum({{ column }}) as delta_{{ column }}{{ ',' if not loop.last }}
    {%- endfor %}
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
        {%- for column in corrected_hours %}
        round(deltas.delta_{{ column }}, 4) as delta_{{ column }},
        {%- endfor %}
        {%- for column in corrected_money %}
        deltas.delta_{{ column }}::numeric(14, 2) as delta_{{ column }},
        {%- endfor %}
        (
            {%- for column in corrected_gross_parts %}
            {{ '+ ' if not loop.first }}deltas.delta_{{ column }}
            {%- endfor %}
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
    where
    {%- for column in corrected_columns %}
        {{ 'or ' if not loop.first }}deltas.delta_{{ column }} <> 0
    {%- endfor %}

)

select * from final
