{{ config(materialized='table') }}
{#-
    The classified attendance a run works on: the events that can touch the
    periods it computes (in_selected_attendance_window; every event without
    vars). Classified once per run — the overlap search is the costly part —
    and read by fct_attendance_exceptions, int_shifts_split_at_midnight and
    the run's attendance conservation check.
-#}
with

classified_events as (

    select *
    from {{ ref('int_attendance_events_classified') }} as classified
    where {{ in_selected_attendance_window('classified') }}

)

select * from classified_events
