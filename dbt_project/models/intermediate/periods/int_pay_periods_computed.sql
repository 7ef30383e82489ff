{{ config(materialized='table') }}
{#-
    The pay periods a build computes: the selected open periods
    (`control.pay_period_build`; with none selected, every open one), plus each finalized period whose inputs changed
    after it was finalized and whose corrections this build applies. A
    finalized period is recomputed only to be compared with what it
    published: the difference becomes adjustment lines in the first open
    period after it (`applied_period_start`); its own rows never change.

    A finalized period changed when, after its finalization, an attendance
    row was loaded or superseded, or a bonus loaded, whose local work date
    can move its pay: straight time by work date inside the period, overtime
    of the workweeks ending in it (from six days before its start; a shift
    clocked in the evening before crosses into that day).
-#}
with

pay_periods as (

    select * from {{ ref('dim_pay_periods') }}

),

finalizations as (

    select * from {{ ref('stg_control__pay_period_finalizations') }}

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

locations as (

    select * from {{ ref('stg_raw__locations') }}

),

open_periods as (

    select pay_periods.*
    from pay_periods
    left join finalizations
        on pay_periods.tenant_id = finalizations.tenant_id
        and pay_periods.period_start = finalizations.period_start
    where finalizations.tenant_id is null

),

selected_periods as (

    select *
    from open_periods
    where {{ in_selected_period('open_periods') }}

),

finalized_periods as (

    select
        pay_periods.tenant_id,
        pay_periods.period_start,
        pay_periods.period_end,
        pay_periods.attendance_from,
        pay_periods.attendance_to,
        finalizations.finalized_at,
        (
            select min(later.period_start)
            from open_periods as later
            where later.tenant_id = pay_periods.tenant_id
                and later.period_start > pay_periods.period_start
        ) as applied_period_start
    from pay_periods
    inner join finalizations
        on pay_periods.tenant_id = finalizations.tenant_id
        and pay_periods.period_start = finalizations.period_start
    where {{ in_selected_tenant('pay_periods') }}

),

finalized_periods_applied_here as (

    select finalized_periods.*
    from finalized_periods
    inner join selected_periods
        on finalized_periods.tenant_id = selected_periods.tenant_id
        and finalized_periods.applied_period_start = selected_periods.period_start

),

finalized_periods_changed as (

    select finalized.*
    from finalized_periods_applied_here as finalized
    where
        exists (
            select 1
            from attendance
            inner join locations
                on attendance.tenant_id = locations.tenant_id
                and attendance.location_id = locations.location_id
            where attendance.tenant_id = finalized.tenant_id
                -- a coarse UTC range first, so the clock-in index does the work
                and attendance.clock_in_at >= finalized.attendance_from
                and attendance.clock_in_at < finalized.attendance_to
                and (attendance.clock_in_at at time zone locations.timezone)::date
                between finalized.period_start - 7 and finalized.period_end
                and attendance.loaded_at > finalized.finalized_at
        )
        or exists (
            select 1
            from superseded
            inner join attendance
                on superseded.tenant_id = attendance.tenant_id
                and superseded.event_id = attendance.event_id
            inner join locations
                on attendance.tenant_id = locations.tenant_id
                and attendance.location_id = locations.location_id
            where superseded.tenant_id = finalized.tenant_id
                and superseded.reason = 'replaced_by_correction'
                and superseded.superseded_at > finalized.finalized_at
                and (superseded.clock_in_at at time zone locations.timezone)::date
                between finalized.period_start - 7 and finalized.period_end
        )
        or exists (
            select 1
            from adjustments
            where adjustments.tenant_id = finalized.tenant_id
                and adjustments.work_date
                between finalized.period_start and finalized.period_end
                and adjustments.loaded_at > finalized.finalized_at
        )

),

final as (

    select
        tenant_id,
        period_start,
        period_end,
        attendance_from,
        attendance_to,
        period_start as applied_period_start,
        null::timestamptz as finalized_at,
        false as is_finalized
    from selected_periods

    union all

    select
        tenant_id,
        period_start,
        period_end,
        attendance_from,
        attendance_to,
        applied_period_start,
        finalized_at,
        true as is_finalized
    from finalized_periods_changed

)

select * from final
