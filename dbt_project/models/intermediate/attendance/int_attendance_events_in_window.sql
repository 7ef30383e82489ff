{{ config(materialized='table') }}
{#-
    The classified attendance a run works on: the events that can touch the
    periods it computes (in_selected_attendance_window; every event for a
    full rebuild). Classified once per run — from the checked events of the
    window and the 24 hours before it, which are all an event can overlap
    (macros/classified_attendance.sql) — and read by
    fct_attendance_exceptions, int_shifts_split_at_midnight and the run's
    attendance conservation check.
-#}
with

checked_with_lookback as (

    select *
    -- the alias is read by the window's predicate (when a build selects periods)
    from {{ ref('int_attendance_events_checked') }} as checked_events  -- noqa: AL05
    where {{ in_selected_attendance_window('checked_events', lookback='24 hours') }}

),

classified as (

    {{ classified_attendance('checked_with_lookback') }}

)

select *
from classified
where {{ in_selected_attendance_window('classified') }}
