-- The SQL floor: marts.fct_workweek_hours for every tenant, staff member and
-- workweek in one hand-written statement over the raw tables, the best a
-- person writes directly in PostgreSQL. Same rules as the pipeline
-- (CONTRACT §4): only punches that pass every check, split at local
-- midnight, the break off the first part, the rate in effect on each work
-- date (a personal rate beats the role default), the state daily rule of the
-- day's main jurisdiction, the seventh-day rule, weekly overtime on the hours
-- not already daily overtime, the weighted regular rate with
-- non-discretionary bonuses.
--
-- Its shortcuts: every time zone conversion happens once per shift (a part
-- after midnight needs one more); time is whole seconds and pay is integer
-- ten-thousandths of a dollar times seconds (bigint), divided once at the end;
-- rate ranges of one key do not overlap (the ingest keeps one row per key
-- and start date, and the data has no overlapping ranges).
with

rules as (
    select
        jurisdiction,
        effective_from,
        coalesce(effective_to, 'infinity'::date) as effective_to,
        weekly_overtime_threshold_hours * 3600 as weekly_threshold,
        daily_overtime_threshold_hours * 3600 as daily_threshold,
        daily_double_time_threshold_hours * 3600 as double_threshold,
        coalesce(seventh_day_rule, false) as seventh_day_rule,
        daily_rule_max_hourly_rate
    from reference.overtime_rules
),

punches as (
    select
        a.tenant_id,
        a.event_id,
        a.staff_id,
        a.role,
        a.clock_in,
        a.clock_out,
        a.break_minutes * 60 as break_seconds,
        l.timezone,
        l.jurisdiction,
        s.pay_type = 'salaried' as is_salaried,
        s.flsa_exempt,
        s.terminated_on,
        t.workweek_start,
        (a.clock_in at time zone l.timezone)::date as first_date,
        ((a.clock_out - interval '1 microsecond') at time zone l.timezone)::date
            as last_date,
        extract(epoch from a.clock_out - a.clock_in)::bigint as elapsed_seconds
    from raw.attendance as a
    inner join raw.staff as s
        on a.tenant_id = s.tenant_id and a.staff_id = s.staff_id
    inner join raw.locations as l
        on a.tenant_id = l.tenant_id and a.location_id = l.location_id
    inner join raw.tenants as t
        on a.tenant_id = t.tenant_id
    where a.clock_out > a.clock_in
        and a.clock_out - a.clock_in <= interval '24 hours'
        and a.clock_in <= now()
        and make_interval(mins => a.break_minutes) <= a.clock_out - a.clock_in
),

punches_rated as (
    -- the rates of the first and the last local date (a shift spans at most
    -- two), each join an equality on its key and at most two ranges to try
    select
        p.*,
        (coalesce(own_first.hourly_rate, role_first.hourly_rate) * 10000)::bigint
            as first_rate_e4,
        (coalesce(own_last.hourly_rate, role_last.hourly_rate) * 10000)::bigint
            as last_rate_e4
    from punches as p
    left join raw.pay_rates as own_first
        on p.tenant_id = own_first.tenant_id and p.staff_id = own_first.staff_id
        and p.role = own_first.role
        and p.first_date >= own_first.effective_from
        and p.first_date <= coalesce(own_first.effective_to, 'infinity'::date)
    left join raw.pay_rates as role_first
        on p.tenant_id = role_first.tenant_id and role_first.staff_id = ''
        and p.role = role_first.role
        and p.first_date >= role_first.effective_from
        and p.first_date <= coalesce(role_first.effective_to, 'infinity'::date)
    left join raw.pay_rates as own_last
        on p.tenant_id = own_last.tenant_id and p.staff_id = own_last.staff_id
        and p.role = own_last.role
        and p.last_date >= own_last.effective_from
        and p.last_date <= coalesce(own_last.effective_to, 'infinity'::date)
    left join raw.pay_rates as role_last
        on p.tenant_id = role_last.tenant_id and role_last.staff_id = ''
        and p.role = role_last.role
        and p.last_date >= role_last.effective_from
        and p.last_date <= coalesce(role_last.effective_to, 'infinity'::date)
    where (p.terminated_on is null or p.first_date <= p.terminated_on)
),

payable as (
    select *
    from punches_rated
    where is_salaried
        or (first_rate_e4 is not null and last_rate_e4 is not null)
),

not_overlapping as (
    -- a shift that starts while an earlier payable one still runs is not paid
    select *
    from (
        select
            payable.*,
            max(clock_out) over (
                partition by tenant_id, staff_id
                order by clock_in, event_id
                rows between unbounded preceding and 1 preceding
            ) as earlier_clock_out
        from payable
    ) as ordered
    where earlier_clock_out is null or earlier_clock_out <= clock_in
),

parts as (
    -- split at local midnight; the break comes off the first part
    select
        s.tenant_id,
        s.staff_id,
        s.jurisdiction,
        s.workweek_start,
        not s.is_salaried and not s.flsa_exempt as is_eligible,
        part.work_date,
        part.seconds,
        case when s.is_salaried then 0 else part.rate_e4 end as rate_e4
    from (
        select
            not_overlapping.*,
            case
                when first_date = last_date then elapsed_seconds
                else extract(
                    epoch from (last_date::timestamp at time zone timezone) - clock_in
                )::bigint
            end as first_seconds
        from not_overlapping
    ) as s
    cross join lateral (
        select
            s.first_date as work_date,
            s.first_seconds - least(s.first_seconds, s.break_seconds) as seconds,
            s.first_rate_e4 as rate_e4
        union all
        select
            s.last_date,
            (s.elapsed_seconds - s.first_seconds)
            - least(
                s.elapsed_seconds - s.first_seconds,
                greatest(0, s.break_seconds - s.first_seconds)
            ),
            s.last_rate_e4
        where s.last_date > s.first_date
    ) as part
),

by_jurisdiction as (
    select
        tenant_id,
        staff_id,
        work_date,
        jurisdiction,
        min(workweek_start) as workweek_start,
        bool_and(is_eligible) as is_eligible,
        sum(seconds) as seconds,
        sum(seconds * rate_e4) as pay_e4_seconds
    from parts
    group by tenant_id, staff_id, work_date, jurisdiction
),

days as (
    -- a day worked in two states follows the state where most time fell
    select
        tenant_id,
        staff_id,
        work_date,
        work_date - (
            (work_date - date '2000-01-02')
            - array_position(
                array[
                    'sunday', 'monday', 'tuesday', 'wednesday', 'thursday',
                    'friday', 'saturday'
                ],
                min(workweek_start)
            ) + 1 + 700000
        ) % 7 as week_start,
        (array_agg(jurisdiction order by seconds desc, jurisdiction))[1] as jurisdiction,
        bool_and(is_eligible) as is_eligible,
        sum(seconds) as seconds,
        sum(pay_e4_seconds) as pay_e4_seconds
    from by_jurisdiction
    group by tenant_id, staff_id, work_date
),

days_ruled as (
    select
        d.tenant_id,
        d.staff_id,
        d.week_start,
        d.work_date,
        d.jurisdiction,
        d.is_eligible,
        d.seconds,
        d.pay_e4_seconds,
        r.daily_threshold,
        r.double_threshold,
        d.is_eligible
        and r.daily_threshold is not null
        and (
            r.daily_rule_max_hourly_rate is null
            or d.pay_e4_seconds < r.daily_rule_max_hourly_rate * 10000 * d.seconds
        ) as has_daily_rule,
        coalesce(r.seventh_day_rule, false)
        and d.work_date = d.week_start + 6
        and count(*) filter (where d.seconds > 0) over (
            partition by d.tenant_id, d.staff_id, d.week_start
        ) = 7 as is_seventh_day
    from days as d
    left join rules as r
        on d.jurisdiction = r.jurisdiction
        and d.work_date between r.effective_from and r.effective_to
),

days_overtime as (
    select
        tenant_id,
        staff_id,
        week_start,
        jurisdiction,
        is_eligible,
        seconds,
        pay_e4_seconds,
        case
            when has_daily_rule and is_seventh_day
                then least(seconds, daily_threshold)
            when has_daily_rule
                then greatest(
                    0, least(seconds, coalesce(double_threshold, seconds)) - daily_threshold
                )
            else 0
        end as daily_overtime,
        case
            when has_daily_rule and is_seventh_day
                then greatest(0, seconds - daily_threshold)
            when has_daily_rule
                then greatest(0, seconds - coalesce(double_threshold, seconds))
            else 0
        end as daily_double_time
    from days_ruled
),

weeks as (
    select
        tenant_id,
        staff_id,
        week_start,
        mode() within group (order by jurisdiction) as jurisdiction,
        bool_and(is_eligible) as is_eligible,
        sum(seconds) as seconds,
        sum(pay_e4_seconds) as pay_e4_seconds,
        sum(daily_overtime) as daily_overtime,
        sum(daily_double_time) as daily_double_time
    from days_overtime
    group by tenant_id, staff_id, week_start
),

bonuses as (
    select
        b.tenant_id,
        b.staff_id,
        b.work_date - (
            (b.work_date - date '2000-01-02')
            - array_position(
                array[
                    'sunday', 'monday', 'tuesday', 'wednesday', 'thursday',
                    'friday', 'saturday'
                ],
                t.workweek_start
            ) + 1 + 700000
        ) % 7 as week_start,
        sum(b.amount) as bonus
    from raw.adjustments as b
    inner join raw.tenants as t
        on b.tenant_id = t.tenant_id
    where b.kind = 'bonus'
    group by 1, 2, 3
),

weeks_overtime as (
    select
        w.*,
        coalesce(b.bonus, 0) as bonus,
        -- pay × 3600, exact: ten-thousandths of a dollar × seconds ÷ 10,000
        w.pay_e4_seconds / 10000.0 as pay_x3600,
        case
            when w.is_eligible
                then w.daily_overtime + greatest(
                    0,
                    w.seconds - w.daily_overtime - w.daily_double_time
                    - coalesce(state_rule.weekly_threshold, us_rule.weekly_threshold)
                )
            else 0
        end as overtime,
        case when w.is_eligible then w.daily_double_time else 0 end as double_time
    from weeks as w
    left join bonuses as b
        on w.tenant_id = b.tenant_id and w.staff_id = b.staff_id
        and w.week_start = b.week_start
    left join rules as state_rule
        on w.jurisdiction = state_rule.jurisdiction
        and state_rule.weekly_threshold is not null
        and w.week_start between state_rule.effective_from and state_rule.effective_to
    left join rules as us_rule
        on us_rule.jurisdiction = 'US'
        and w.week_start between us_rule.effective_from and us_rule.effective_to
)

select
    tenant_id,
    staff_id,
    week_start as workweek_start,
    round(round(seconds / 3600.0, 6), 4) as hours_worked,
    round(round(overtime / 3600.0, 6), 4) as overtime_hours,
    round(round(double_time / 3600.0, 6), 4) as double_time_hours,
    round(pay_e4_seconds / 36000000.0, 2) as straight_time_pay,
    round(bonus, 2) as bonus_pay,
    -- rounded once, like the mart (twice would turn 21.40204999… into 21.4021)
    round(
        case
            when is_eligible and seconds > 0
                then (pay_x3600 + 3600 * bonus) / seconds
        end,
        4
    ) as regular_rate,
    round(
        case
            when is_eligible and seconds > 0
                then (0.5 * overtime + 1.0 * double_time) * (pay_x3600 + 3600 * bonus)
                / (3600 * seconds)
            else 0
        end,
        2
    ) as overtime_premium_pay
from weeks_overtime
