{#-
    Every attendance event with the first check it fails on its own
    (`failed_check`, in a fixed priority), or null. A filter on tenant_id
    and clock_in_at reaches the attendance indexes.
    Overlaps between events are judged in int_attendance_events_classified.
-#}
with

attendance as (

    select * from {{ ref('stg_raw__attendance') }}

),

staff as (

    select * from {{ ref('stg_raw__staff') }}

),

locations as (

    select * from {{ ref('stg_raw__locations') }}

),

events_joined as (

    select
        attendance.*,
        locations.timezone,
        locations.jurisdiction,
        locations.locality,
        staff.pay_type,
        staff.is_salaried,
        staff.is_flsa_exempt,
        staff.terminated_on,
        staff.staff_id is not null as is_known_staff,
        locations.location_id is not null as is_known_location,
        (attendance.clock_in_at at time zone locations.timezone)::date
            as clock_in_local_date,
        (
            (attendance.clock_out_at - interval '1 microsecond')
            at time zone locations.timezone
        )::date as clock_out_local_date,
        attendance.clock_out_at - attendance.clock_in_at as elapsed
    from attendance
    left join staff
        on attendance.tenant_id = staff.tenant_id
        and attendance.staff_id = staff.staff_id
    left join locations
        on attendance.tenant_id = locations.tenant_id
        and attendance.location_id = locations.location_id

),

-- in each staff member's clock_in order, as the overlap window downstream
-- reads them (one sort for both); a filter on tenant_id and clock_in_at
-- still reaches the attendance indexes (they are DISTINCT ON columns)
events_with_rates as (

    select distinct on (
        events_joined.tenant_id,
        events_joined.staff_id,
        events_joined.clock_in_at,
        events_joined.event_id
    )
        events_joined.*,
        case
            when not events_joined.is_salaried
                then {{ rate_in_effect('on_clock_in_date') }}
        end as clock_in_date_rate,
        case
            when not events_joined.is_salaried
                then {{ rate_in_effect('on_clock_out_date') }}
        end as clock_out_date_rate,
        {{ rate_takes_tip_credit('events_joined', 'on_clock_in_date') }}
            as clock_in_date_rate_takes_tip_credit,
        {{ rate_takes_tip_credit('events_joined', 'on_clock_out_date') }}
            as clock_out_date_rate_takes_tip_credit
    from events_joined
    {{ join_rates_in_effect(
        'events_joined', 'events_joined.clock_in_local_date', 'on_clock_in_date') }}
    {{ join_rates_in_effect(
        'events_joined', 'events_joined.clock_out_local_date', 'on_clock_out_date') }}
    order by
        events_joined.tenant_id asc,
        events_joined.staff_id asc,
        events_joined.clock_in_at asc,
        events_joined.event_id asc,
        {{ rate_precedence('on_clock_in_date') }},
        {{ rate_precedence('on_clock_out_date') }}

),

first_failed_check as (

    select
        events_with_rates.*,
        case
            -- searched only for an unknown id (in a column, every event
            -- would search); the relations, not the CTEs: a CTE read twice
            -- is materialized and joined without its index
            when
                not is_known_staff
                and exists (
                    select 1 from {{ ref('stg_raw__staff') }} as other
                    where other.staff_id = events_with_rates.staff_id
                        and other.tenant_id <> events_with_rates.tenant_id
                )
                then 'tenant_mismatch'
            when not is_known_staff then 'unknown_staff'
            when
                not is_known_location
                and exists (
                    select 1 from {{ ref('stg_raw__locations') }} as other
                    where other.location_id = events_with_rates.location_id
                        and other.tenant_id <> events_with_rates.tenant_id
                )
                then 'tenant_mismatch'
            when not is_known_location then 'unknown_location'
            when clock_in_at > now() then 'future_punch'
            when clock_out_at is null then 'open_shift'
            when clock_out_at <= clock_in_at then 'clock_out_before_clock_in'
            when elapsed > interval '24 hours' then 'shift_over_24h'
            when make_interval(mins => break_minutes) > elapsed
                then 'break_exceeds_shift'
            when clock_in_local_date > terminated_on then 'after_termination'
            when not is_salaried
                and (clock_in_date_rate is null or clock_out_date_rate is null)
                then 'missing_rate'
            -- CONTRACT §6: only non-exempt hourly staff take the tip credit
            when (is_salaried or is_flsa_exempt)
                and (
                    clock_in_date_rate_takes_tip_credit
                    or clock_out_date_rate_takes_tip_credit
                )
                then 'tip_credit_not_allowed'
        end as failed_check
    from events_with_rates

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
        locality,
        source_file,
        failed_check,

        ---------- booleans
        is_salaried,
        is_flsa_exempt,

        ---------- numerics
        source_row,
        break_minutes,
        cash_tips,
        card_tips,

        ---------- timestamps
        clock_in_at,
        clock_out_at

    from first_failed_check

)

select * from final
