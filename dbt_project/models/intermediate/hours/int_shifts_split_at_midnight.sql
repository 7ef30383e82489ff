{{ config(materialized='table') }}
{#-
    Usable shifts cut at local midnight of their location: one row per shift
    part and local work date. Hours are real elapsed time (timestamptz
    arithmetic, so DST nights have 7 or 9 hours); the unpaid break comes off
    the first part, any remainder off the next; the shift's tips belong to
    its first part, the work date of its clock-in (CONTRACT §6). Only the
    attendance that can touch the selected pay period is read.
-#}
-- depends_on: {{ ref('dim_pay_periods') }}
with

classified_events as (

    select * from {{ ref('int_attendance_events_in_window') }}

),

tenants as (

    select * from {{ ref('stg_raw__tenants') }}

),

usable_shifts as (

    select *
    from classified_events
    where reason_code is null

),

shift_local_days as (

    select
        usable_shifts.*,
        series.work_day::date as work_date
    from usable_shifts
    cross join lateral generate_series(
        (usable_shifts.clock_in_at at time zone usable_shifts.timezone)::date,
        (
            (usable_shifts.clock_out_at - interval '1 microsecond')
            at time zone usable_shifts.timezone
        )::date,
        interval '1 day'
    ) as series (work_day)

),

shift_parts as (

    select
        shift_local_days.*,
        greatest(
            shift_local_days.clock_in_at,
            shift_local_days.work_date::timestamp
            at time zone shift_local_days.timezone
        ) as part_start_at,
        least(
            shift_local_days.clock_out_at,
            (shift_local_days.work_date + 1)::timestamp
            at time zone shift_local_days.timezone
        ) as part_end_at
    from shift_local_days

),

part_elapsed_hours as (

    select
        shift_parts.*,
        extract(epoch from shift_parts.part_end_at - shift_parts.part_start_at)
            as elapsed_seconds
    from shift_parts

),

break_allocated as (

    select
        part_elapsed_hours.*,
        greatest(
            0,
            part_elapsed_hours.break_minutes * 60
            - coalesce(
                sum(part_elapsed_hours.elapsed_seconds) over (
                    partition by
                        part_elapsed_hours.tenant_id, part_elapsed_hours.event_id
                    order by part_elapsed_hours.work_date
                    rows between unbounded preceding and 1 preceding
                ),
                0
            )
        ) as break_seconds_left
    from part_elapsed_hours

),

final as (

    select
        ---------- ids
        break_allocated.tenant_id,
        break_allocated.event_id,
        break_allocated.staff_id,
        break_allocated.location_id,

        ---------- text
        break_allocated.role,
        break_allocated.jurisdiction,
        break_allocated.locality,

        ---------- booleans
        break_allocated.is_salaried,
        break_allocated.is_flsa_exempt,

        ---------- numerics
        break_allocated.break_minutes,
        case
            when break_allocated.clock_in_at = break_allocated.part_start_at
                then coalesce(break_allocated.cash_tips, 0)
            else 0
        end as cash_tips,
        case
            when break_allocated.clock_in_at = break_allocated.part_start_at
                then coalesce(break_allocated.card_tips, 0)
            else 0
        end as card_tips,
        -- pay is computed from exact seconds; hours are for people (1e-6 h)
        break_allocated.elapsed_seconds
        - least(
            break_allocated.elapsed_seconds, break_allocated.break_seconds_left
        ) as seconds_worked,
        round(
            (
                break_allocated.elapsed_seconds
                - least(
                    break_allocated.elapsed_seconds,
                    break_allocated.break_seconds_left
                )
            )
            / 3600,
            6
        ) as hours_worked,

        ---------- dates
        break_allocated.work_date,
        break_allocated.work_date - (
            (
                extract(dow from break_allocated.work_date)::integer
                - tenants.workweek_start_dow + 7
            ) % 7
        ) as workweek_start,

        ---------- timestamps
        break_allocated.part_start_at,
        break_allocated.part_end_at

    from break_allocated
    inner join tenants
        on break_allocated.tenant_id = tenants.tenant_id

)

select * from final
