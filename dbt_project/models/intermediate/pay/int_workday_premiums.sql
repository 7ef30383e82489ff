{#- A table: the period's earnings, its mart and its tests read it. No
    nested loops: the day's joins on (tenant, staff, date) are estimated at
    one row where there are a hundred thousand; looped, they took minutes at
    100 k shifts, hashed 1.2 s. -#}
{{
    config(
        materialized='table',
        pre_hook=["set local enable_nestloop = off"],
    )
}}
{#-
    The premiums a workday earns from its punches (CONTRACT §6), for
    non-exempt hourly staff, where reference.pay_premium_rules has the kind
    for the day's state (where most of its hours fell, int_workdays_summed):
      meal_period      no break or gap of 30 minutes on a day over 6 hours:
                       one hour at the workweek's regular rate (Ferra)
      split_shift      a gap over 60 minutes between two consecutive parts:
                       the minimum wage × (hours worked + 1) less the day's
                       straight-time pay, at least 0 (DLSE)
      spread_of_hours  first clock-in to last clock-out over 10 hours: one
                       hour at the day's minimum wage, never the tipped one
    The day's minimum wage is the highest among its parts; its location the
    one with most of its time (a tie: the earliest part's). At most one of
    each kind per day, paid with the workweek, in the period of its last
    day. A premium is neither hours worked nor in the regular rate.
-#}
with

shift_parts as (

    select * from {{ ref('int_shift_parts_rated') }}

),

workdays as (

    select * from {{ ref('int_workdays_summed') }}

),

workweeks as (

    select * from {{ ref('int_workweeks_summed') }}

),

premium_rules as (

    select * from {{ ref('pay_premium_rules') }}

),

parts_with_gap as (

    select
        shift_parts.*,
        -- the time since the day's previous part ended (parts never overlap)
        extract(epoch from shift_parts.part_start_at - lag(shift_parts.part_end_at) over (
            partition by shift_parts.tenant_id, shift_parts.staff_id, shift_parts.work_date
            order by shift_parts.part_start_at
        )) as gap_seconds
    from shift_parts

),

parts_summed_to_day as (

    select
        tenant_id,
        staff_id,
        work_date,
        max(minimum_wage) as minimum_wage,
        max(break_minutes) as longest_break_minutes,
        coalesce(max(gap_seconds), 0) as longest_gap_seconds,
        extract(epoch from max(part_end_at) - min(part_start_at)) as spread_seconds,
        array_agg(distinct event_id order by event_id) as source_ids
    from parts_with_gap
    group by tenant_id, staff_id, work_date

),

day_locations as (

    -- the location with most of the day's time; a tie: the earliest part's
    select distinct on (tenant_id, staff_id, work_date)
        tenant_id,
        staff_id,
        work_date,
        location_id
    from shift_parts
    group by tenant_id, staff_id, work_date, location_id
    order by
        tenant_id asc,
        staff_id asc,
        work_date asc,
        sum(seconds_worked) desc,
        min(part_start_at) asc

),

days as (

    select
        workdays.tenant_id,
        workdays.staff_id,
        workdays.work_date,
        workdays.jurisdiction,
        workdays.seconds_worked,
        workdays.straight_time_pay_seconds,
        parts_summed_to_day.minimum_wage,
        parts_summed_to_day.longest_break_minutes,
        parts_summed_to_day.longest_gap_seconds,
        parts_summed_to_day.spread_seconds,
        parts_summed_to_day.source_ids,
        day_locations.location_id,
        workweeks.regular_rate,
        workweeks.period_start
    from workdays
    inner join parts_summed_to_day
        on workdays.tenant_id = parts_summed_to_day.tenant_id
        and workdays.staff_id = parts_summed_to_day.staff_id
        and workdays.work_date = parts_summed_to_day.work_date
    inner join day_locations
        on workdays.tenant_id = day_locations.tenant_id
        and workdays.staff_id = day_locations.staff_id
        and workdays.work_date = day_locations.work_date
    -- the workweeks of the computed periods, with their regular rate
    inner join workweeks
        on workdays.tenant_id = workweeks.tenant_id
        and workdays.staff_id = workweeks.staff_id
        and workdays.workweek_start = workweeks.workweek_start
    where workweeks.is_overtime_eligible

),

premiums_earned as (

    select
        days.*,
        rules.kind,
        case rules.kind
            when 'meal_period' then days.regular_rate
            else days.minimum_wage
        end as rate,
        case rules.kind
            when 'meal_period' then days.regular_rate
            when 'split_shift'
                then greatest(
                        0,
                        (
                            days.minimum_wage * (days.seconds_worked + 3600)
                            - days.straight_time_pay_seconds
                        ) / 3600
                    )
            when 'spread_of_hours' then days.minimum_wage
        end as exact_amount
    from days
    inner join premium_rules as rules
        on days.jurisdiction = rules.jurisdiction
        and rules.effective_from = (
            select max(latest.effective_from)
            from premium_rules as latest
            where latest.jurisdiction = rules.jurisdiction
                and latest.kind = rules.kind
                and latest.effective_from <= days.work_date
        )
    where
        (
            rules.kind = 'meal_period'
            and days.seconds_worked > rules.hours_worked_over * 3600
            and days.longest_break_minutes < rules.meal_break_minutes
            and days.longest_gap_seconds < rules.meal_break_minutes * 60
        )
        or (
            rules.kind = 'split_shift'
            and days.longest_gap_seconds > rules.gap_minutes_over * 60
        )
        or (
            rules.kind = 'spread_of_hours'
            and days.spread_seconds > rules.spread_hours_over * 3600
        )

),

final as (

    select
        ---------- ids
        tenant_id,
        staff_id,
        location_id,

        ---------- text
        kind,
        source_ids,

        ---------- numerics
        1::numeric as hours,
        round(rate, 4) as rate,
        {{ round_money('exact_amount') }} as amount,

        ---------- dates
        work_date,
        period_start

    from premiums_earned
    -- a premium the day's pay already covers (split shift) is no row
    where {{ round_money('exact_amount') }} > 0

)

select * from final
