{#- Every attendance event classified (macros/classified_attendance.sql). -#}
with

checked_events as (

    select * from {{ ref('int_attendance_events_checked') }}

),

classified as (

    {{ classified_attendance('checked_events') }}

)

select * from classified
