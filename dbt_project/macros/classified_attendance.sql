{#-
    The classification of attendance events whose own checks are known
    (`failed_check`, int_attendance_events_checked): reason_code is null
    when the shift can be paid, else its failed check, else
    overlapping_shift when an earlier event of the same staff (by clock_in,
    then event_id) that passed every check still runs at its clock_in.

    One window over each staff member's events in clock_in order, not a
    search per event (7 s of 23 at 1 M shifts). A passing shift lasts at
    most 24 hours, so the events that can overlap one are those of the 24
    hours before it: `events` must hold them (a window's lookback).
-#}
{% macro classified_attendance(events) -%}
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
        locality,
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
        cash_tips,
        card_tips,

        ---------- timestamps
        clock_in_at,
        clock_out_at

    from (
        select
            events.*,
            events.failed_check is null
            and max(events.clock_out_at) filter (where events.failed_check is null) over (
                partition by events.tenant_id, events.staff_id
                order by events.clock_in_at, events.event_id
                rows between unbounded preceding and 1 preceding
            ) > events.clock_in_at as is_overlapping
        from {{ events }} as events
    ) as overlaps_checked
{%- endmacro %}
