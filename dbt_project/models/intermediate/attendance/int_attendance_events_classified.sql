{#-
    Every attendance event, either usable (reason_code null) or with the
    first reason it cannot be paid, in a fixed priority. Overlaps are judged
    only among events that passed every other check.
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
        staff.pay_type,
        staff.is_salaried,
        staff.is_flsa_exempt,
        staff.terminated_on,
        staff.staff_id is not null as is_known_staff,
        locations.location_id is not null as is_known_location,
        exists (
            select 1 from staff as other
            where other.staff_id = attendance.staff_id
                and other.tenant_id <> attendance.tenant_id
        ) as is_other_tenants_staff,
        exists (
            select 1 from locations as other
            where other.location_id = attendance.location_id
                and other.tenant_id <> attendance.tenant_id
        ) as is_other_tenants_location,
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

events_with_rates as (

    select
        events_joined.*,
        case when not events_joined.is_salaried then
            {{ effective_hourly_rate(
                'events_joined.tenant_id', 'events_joined.staff_id',
                'events_joined.role', 'events_joined.clock_in_local_date') }}
        end as clock_in_date_rate,
        case when not events_joined.is_salaried then
            {{ effective_hourly_rate(
                'events_joined.tenant_id', 'events_joined.staff_id',
                'events_joined.role', 'events_joined.clock_out_local_date') }}
        end as clock_out_date_rate
    from events_joined

),

first_failed_check as (

    select
        events_with_rates.*,
        case
            when not is_known_staff and is_other_tenants_staff
                then 'tenant_mismatch'
            when not is_known_staff then 'unknown_staff'
            when not is_known_location and is_other_tenants_location
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
        end as failed_check
    from events_with_rates

),

latest_earlier_clock_out as (

    select
        first_failed_check.*,
        max(clock_out_at) over (
            partition by tenant_id, staff_id
            order by clock_in_at, event_id
            rows between unbounded preceding and 1 preceding
        ) as earlier_shift_ends_at
    from first_failed_check
    where failed_check is null

),

final as (

    select
        ---------- ids
        first_failed_check.tenant_id,
        first_failed_check.event_id,
        first_failed_check.staff_id,
        first_failed_check.location_id,

        ---------- text
        first_failed_check.role,
        first_failed_check.timezone,
        first_failed_check.jurisdiction,
        first_failed_check.source_file,
        coalesce(
            first_failed_check.failed_check,
            case
                when latest_earlier_clock_out.earlier_shift_ends_at
                    > latest_earlier_clock_out.clock_in_at
                    then 'overlapping_shift'
            end
        ) as reason_code,

        ---------- booleans
        coalesce(first_failed_check.is_salaried, false) as is_salaried,
        coalesce(first_failed_check.is_flsa_exempt, false) as is_flsa_exempt,

        ---------- numerics
        first_failed_check.source_row,
        first_failed_check.break_minutes,

        ---------- timestamps
        first_failed_check.clock_in_at,
        first_failed_check.clock_out_at

    from first_failed_check
    left join latest_earlier_clock_out
        on first_failed_check.tenant_id = latest_earlier_clock_out.tenant_id
        and first_failed_check.event_id = latest_earlier_clock_out.event_id

)

select * from final
