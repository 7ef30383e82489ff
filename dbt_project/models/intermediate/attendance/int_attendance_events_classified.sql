{#-
    Every attendance event, either usable (reason_code null) or with the
    first reason it cannot be paid: its own failed check, else
    overlapping_shift when an earlier event of the same staff (by clock_in,
    then event_id) that passed every check is still running at its clock_in.
    A passing shift lasts at most 24 hours, so only the day before is
    searched: a filter on tenant_id and clock_in_at still reaches the
    attendance indexes (no window function in the way).
-#}
with

checked_events as (

    select * from {{ ref('int_attendance_events_checked') }}

),

overlaps_checked as (

    select
        checked_events.*,
        checked_events.failed_check is null and exists (
            -- the relation itself, not the CTE: a CTE read twice is
            -- materialized whole and filters no longer reach the indexes
            select 1
            from {{ ref('int_attendance_events_checked') }} as earlier
            where earlier.tenant_id = checked_events.tenant_id
                and earlier.staff_id = checked_events.staff_id
                and earlier.failed_check is null
                and earlier.clock_in_at
                >= checked_events.clock_in_at - interval '24 hours'
                and earlier.clock_in_at <= checked_events.clock_in_at
                and (earlier.clock_in_at, earlier.event_id)
                < (checked_events.clock_in_at, checked_events.event_id)
                and earlier.clock_out_at > checked_events.clock_in_at
        ) as is_overlapping
    from checked_events

),

final as (

    select
        ---------- ids
        tenant_id,
        event_id,
        staff_id,
        location_id,

        ---------- text
        role,
        timezone,
        jurisdiction,
        source_file,
        coalesce(
            failed_check,
            case when is_overlapping then 'overlapping_shift' end
        ) as reason_code,

        ---------- booleans
        coalesce(is_salaried, false) as is_salaried,
        coalesce(is_flsa_exempt, false) as is_flsa_exempt,

        ---------- numerics
        source_row,
        break_minutes,

        ---------- timestamps
        clock_in_at,
        clock_out_at

    from overlaps_checked

)

select * from final
