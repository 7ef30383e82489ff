{#-
    Every attendance row received and not paid: refused at ingest
    (malformed_value) or classified with a reason. `detail` explains the
    reason without names or amounts.

    A pay-period run classifies only the attendance that can touch the
    periods it computes (in_selected_attendance_window) and replaces those
    rows, plus the tenant's rows refused at ingest: its cost follows the
    period, not the history. Without vars every row is rebuilt.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_selected_exception_rows() }}",
    )
}}
-- the pre_hook's window and corrected events:
-- depends_on: {{ ref('int_pay_periods_computed') }}
-- depends_on: {{ ref('stg_raw__attendance') }}
with

classified_events as (

    select * from {{ ref('int_attendance_events_in_window') }}

),

rejected_rows as (

    select *
    -- the alias is read by the tenant predicate (when a build selects periods)
    from {{ ref('stg_raw__rejected_rows') }} as rejected  -- noqa: AL05
    where {{ in_selected_tenant('rejected') }}

),

refused_at_ingest as (

    select
        tenant_id,
        source_file,
        source_row,
        record_id as event_id,
        staff_id,
        'malformed_value' as reason_code,
        -- the ingest reason may already name its field
        case
            when starts_with(reason, field || ':') then reason
            else field || ': ' || reason
        end as detail,
        null::timestamptz as clock_in_at
    from rejected_rows
    where file_kind = 'attendance'

),

not_payable as (

    select
        tenant_id,
        source_file,
        source_row,
        event_id,
        staff_id,
        reason_code,
        case reason_code
            when 'unknown_staff' then 'staff_id not in staff.csv of the tenant'
            when 'unknown_location'
                then 'location_id not in locations.csv of the tenant'
            when 'tenant_mismatch'
                then 'staff or location belongs to another tenant'
            when 'future_punch' then 'clock_in is in the future'
            when 'open_shift'
                then
                    case
                        when clock_in_at < now() - interval '24 hours'
                            then 'no clock_out for more than 24 hours: not paid'
                        else 'still on shift (no clock_out yet): not paid until closed'
                    end
            when 'clock_out_before_clock_in'
                then 'clock_out is not after clock_in'
            when 'shift_over_24h' then 'shift longer than 24 hours'
            when 'break_exceeds_shift' then 'break longer than the shift'
            when 'after_termination' then 'work date after terminated_on'
            when 'missing_rate'
                then 'no hourly rate for the role on the work date'
            when 'overlapping_shift'
                then 'overlaps an earlier shift of the same staff'
            when 'tip_credit_not_allowed'
                then
                    'the rate for the role on the work date takes the tip credit '
                    || '(pay_rates tip_credit), which salaried and FLSA-exempt '
                    || 'staff may not: not paid until the rate is fixed'
        end as detail,
        clock_in_at
    from classified_events
    where reason_code is not null

),

final as (

    select * from refused_at_ingest
    union all
    select * from not_payable

)

select * from final
