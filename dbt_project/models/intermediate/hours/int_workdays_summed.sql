{{ config(materialized='table') }}
{#- A table: the run's models and tests read it several times; computed once. -#}
{#-
    One row per staff and local work date: time worked, straight-time pay and
    the daily overtime and double time of the state rule in force for the
    jurisdiction of the day's location (reference.overtime_rules): over the
    daily thresholds, or on the seventh consecutive day worked in the
    workweek (first threshold hours at 1.5×, beyond at 2×). A state row may
    limit its daily rule to rates below a ceiling (Nevada). A new state is a
    seed row, not new SQL. Arithmetic is in exact seconds; hours are for
    people.
-#}
with

shift_parts as (

    select * from {{ ref('int_shift_parts_rated') }}

),

overtime_rules as (

    select * from {{ ref('overtime_rules') }}

),

parts_by_jurisdiction as (

    select
        tenant_id,
        staff_id,
        work_date,
        workweek_start,
        jurisdiction,
        bool_and(not is_salaried and not is_flsa_exempt) as is_overtime_eligible,
        sum(seconds_worked) as seconds_worked,
        sum(straight_time_pay_seconds) as straight_time_pay_seconds,
        -- CONTRACT §6: what the minimum wage of each part requires, and the
        -- tip credit its tipped-rate parts below it could take
        sum(seconds_worked * minimum_wage) as minimum_wage_pay_seconds,
        coalesce(sum(
            seconds_worked * least(max_tip_credit, minimum_wage - hourly_rate)
        ) filter (
            -- an empty max_tip_credit allows none (least() would skip it)
            where is_tip_credit_rate
            and max_tip_credit is not null
            and hourly_rate < minimum_wage
        ), 0) as tip_credit_capacity_seconds,
        sum(cash_tips + card_tips) as tips,
        min(part_start_at) as first_part_start_at
    from shift_parts
    group by tenant_id, staff_id, work_date, workweek_start, jurisdiction

),

time_summed_to_workday as (

    -- a day worked in two states follows the state where most time fell; a
    -- tie goes to the state of the day's earliest part
    select distinct on (tenant_id, staff_id, work_date)
        tenant_id,
        staff_id,
        work_date,
        workweek_start,
        jurisdiction,
        bool_and(is_overtime_eligible) over workday as is_overtime_eligible,
        sum(seconds_worked) over workday as seconds_worked,
        sum(straight_time_pay_seconds) over workday as straight_time_pay_seconds,
        sum(minimum_wage_pay_seconds) over workday as minimum_wage_pay_seconds,
        sum(tip_credit_capacity_seconds) over workday
            as tip_credit_capacity_seconds,
        sum(tips) over workday as tips
    from parts_by_jurisdiction
    window workday as (partition by tenant_id, staff_id, work_date)
    -- qualified: a bare name in order by is the output column (the day's
    -- sum, the same on every row of the day), not this part's own time
    order by
        parts_by_jurisdiction.tenant_id asc,
        parts_by_jurisdiction.staff_id asc,
        parts_by_jurisdiction.work_date asc,
        parts_by_jurisdiction.seconds_worked desc,
        parts_by_jurisdiction.first_part_start_at asc

),

workdays_with_rule as (

    select
        workdays.*,
        count(*) filter (where workdays.seconds_worked > 0) over (
            partition by workdays.tenant_id, workdays.staff_id, workdays.workweek_start
        ) as days_worked_in_workweek,
        rules.daily_overtime_threshold_hours * 3600 as daily_overtime_threshold,
        rules.daily_double_time_threshold_hours * 3600 as daily_double_time_threshold,
        coalesce(rules.seventh_day_rule, false) as has_seventh_day_rule,
        workdays.is_overtime_eligible
        and rules.daily_overtime_threshold_hours is not null
        and (
            rules.daily_rule_max_hourly_rate is null
            or workdays.straight_time_pay_seconds
            < rules.daily_rule_max_hourly_rate * workdays.seconds_worked
        ) as has_daily_rule
    from time_summed_to_workday as workdays
    left join overtime_rules as rules
        on workdays.jurisdiction = rules.jurisdiction
        and workdays.work_date between rules.effective_from
        and coalesce(rules.effective_to, 'infinity'::date)

),

seventh_day_flagged as (

    select
        workdays_with_rule.*,
        has_daily_rule
        and has_seventh_day_rule
        and days_worked_in_workweek = 7
        and work_date = workweek_start + 6 as is_seventh_consecutive_day
    from workdays_with_rule

),

daily_overtime_computed as (

    select
        seventh_day_flagged.*,
        case
            when is_seventh_consecutive_day
                then least(seconds_worked, daily_overtime_threshold)
            when has_daily_rule
                then
                    greatest(
                        0,
                        least(
                            seconds_worked,
                            coalesce(daily_double_time_threshold, seconds_worked)
                        )
                        - daily_overtime_threshold
                    )
            else 0
        end as daily_overtime_seconds,
        case
            when is_seventh_consecutive_day
                then greatest(0, seconds_worked - daily_overtime_threshold)
            when has_daily_rule
                then
                    greatest(
                        0,
                        seconds_worked
                        - coalesce(daily_double_time_threshold, seconds_worked)
                    )
            else 0
        end as daily_double_time_seconds
    from seventh_day_flagged

),

final as (

    select
        ---------- ids
        tenant_id,
        staff_id,

        ---------- text
        jurisdiction,

        ---------- booleans
        is_overtime_eligible,
        is_seventh_consecutive_day,

        ---------- numerics
        seconds_worked,
        daily_overtime_seconds,
        daily_double_time_seconds,
        round(seconds_worked / 3600, 6) as hours_worked,
        round(daily_overtime_seconds / 3600, 6) as daily_overtime_hours,
        round(daily_double_time_seconds / 3600, 6) as daily_double_time_hours,
        straight_time_pay_seconds,
        minimum_wage_pay_seconds,
        tip_credit_capacity_seconds,
        tips,

        ---------- dates
        work_date,
        workweek_start

    from daily_overtime_computed

)

select * from final
