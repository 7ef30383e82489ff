with

tenants as (

    select * from {{ ref('stg_raw__tenants') }}

),

locations as (

    select * from {{ ref('stg_raw__locations') }}

),

attendance as (

    select * from {{ ref('stg_raw__attendance') }}

),

adjustments as (

    select * from {{ ref('stg_raw__adjustments') }}

),

staff as (

    select * from {{ ref('stg_raw__staff') }}

),

calendar_clock as (

    -- the calendar's "now": a fixed instant (the demo's), else the build's
    select coalesce(max(as_of), now()) as as_of
    from {{ ref('stg_control__pay_calendar') }}

),

tenant_local_today as (

    -- the tenant's today is that of its westernmost location (the last to
    -- reach midnight); a tenant without locations yet counts in UTC
    select
        tenants.tenant_id,
        coalesce(
            min((calendar_clock.as_of at time zone locations.timezone)::date),
            (calendar_clock.as_of at time zone 'UTC')::date
        ) as local_today
    from tenants
    cross join calendar_clock
    left join locations
        on tenants.tenant_id = locations.tenant_id
    group by tenants.tenant_id, calendar_clock.as_of

),

attendance_local_dates as (

    select
        attendance.tenant_id,
        (attendance.clock_in_at at time zone locations.timezone)::date
            as first_date,
        (
            coalesce(attendance.clock_out_at, attendance.clock_in_at)
            at time zone locations.timezone
        )::date as last_date
    from attendance
    inner join locations
        on attendance.tenant_id = locations.tenant_id
        and attendance.location_id = locations.location_id

),

local_dates_with_data as (

    -- a shift's workweek is paid (its overtime) in the period holding the
    -- workweek's last day: that period has data too
    select
        attendance_local_dates.tenant_id,
        attendance_local_dates.first_date,
        attendance_local_dates.last_date + 6 - (
            (
                extract(dow from attendance_local_dates.last_date)::integer
                - tenants.workweek_start_dow + 7
            ) % 7
        ) as last_date
    from attendance_local_dates
    inner join tenants
        on attendance_local_dates.tenant_id = tenants.tenant_id

    union all

    select
        tenant_id,
        work_date as first_date,
        work_date as last_date
    from adjustments

),

data_dates_per_tenant as (

    select
        tenant_id,
        min(first_date) as first_date,
        max(last_date) as last_date
    from local_dates_with_data
    group by tenant_id

),

first_hires_per_tenant as (

    select
        tenant_id,
        min(hired_on) as first_hired_on
    from staff
    group by tenant_id

),

data_range_per_tenant as (

    -- from the first punch or bonus (else the earliest hire, so that a
    -- tenant of salaried staff only is paid) through the period of the
    -- tenant's today, or the last data if later: periods exist whether or
    -- not anyone punched in
    select
        tenant_local_today.tenant_id,
        coalesce(
            data_dates.first_date,
            hires.first_hired_on,
            tenant_local_today.local_today
        ) as first_date,
        greatest(data_dates.last_date, tenant_local_today.local_today)
            as last_date,
        tenant_local_today.local_today
    from tenant_local_today
    left join data_dates_per_tenant as data_dates
        on tenant_local_today.tenant_id = data_dates.tenant_id
    left join first_hires_per_tenant as hires
        on tenant_local_today.tenant_id = hires.tenant_id

),

tenants_with_range as (

    select
        tenants.*,
        data_range_per_tenant.first_date,
        data_range_per_tenant.last_date,
        data_range_per_tenant.local_today,
        case tenants.pay_frequency
            when 'weekly' then 7
            when 'biweekly' then 14
        end as period_days
    from tenants
    inner join data_range_per_tenant
        on tenants.tenant_id = data_range_per_tenant.tenant_id

),

fixed_length_periods as (

    select
        tenants_with_range.tenant_id,
        series.period_start::date as period_start,
        (series.period_start::date + tenants_with_range.period_days - 1)
            as period_end
    from tenants_with_range
    cross join
        lateral generate_series(
            tenants_with_range.period_anchor
            + (
                floor(
                    (tenants_with_range.first_date - tenants_with_range.period_anchor)
                    / tenants_with_range.period_days::numeric
                )::integer
                * tenants_with_range.period_days
            ),
            tenants_with_range.last_date,
            make_interval(days => tenants_with_range.period_days)
        ) as series (period_start)
    where tenants_with_range.pay_frequency in ('weekly', 'biweekly')

),

months_with_data as (

    select
        tenants_with_range.tenant_id,
        tenants_with_range.pay_frequency,
        tenants_with_range.first_date,
        tenants_with_range.last_date,
        series.month_start::date as month_start
    from tenants_with_range
    cross join
        lateral generate_series(
            date_trunc('month', tenants_with_range.first_date),
            date_trunc('month', tenants_with_range.last_date),
            interval '1 month'
        ) as series (month_start)
    where tenants_with_range.pay_frequency in ('semimonthly', 'monthly')

),

calendar_month_periods as (

    select
        tenant_id,
        month_start as period_start,
        case
            when pay_frequency = 'semimonthly' then month_start + 14
            else (month_start + interval '1 month' - interval '1 day')::date
        end as period_end,
        first_date,
        last_date
    from months_with_data

    union all

    select
        tenant_id,
        month_start + 15 as period_start,
        (month_start + interval '1 month' - interval '1 day')::date
            as period_end,
        first_date,
        last_date
    from months_with_data
    where pay_frequency = 'semimonthly'

),

all_periods as (

    select
        tenant_id,
        period_start,
        period_end
    from fixed_length_periods

    union all

    select
        tenant_id,
        period_start,
        period_end
    from calendar_month_periods
    where period_end >= first_date and period_start <= last_date

),

period_closes as (

    -- a period closes at local midnight after its last day at the tenant's
    -- westernmost location (the last to reach it): only then can no punch
    -- of it still be in progress. The schedule launches it then (plus its
    -- delay); `is_closed` is the same instant against the calendar's clock.
    select
        all_periods.tenant_id,
        all_periods.period_start,
        coalesce(
            max((all_periods.period_end + 1)::timestamp at time zone locations.timezone),
            (all_periods.period_end + 1)::timestamp at time zone 'UTC'
        ) as closes_at
    from all_periods
    left join locations
        on all_periods.tenant_id = locations.tenant_id
    group by all_periods.tenant_id, all_periods.period_start, all_periods.period_end

),

final as (

    select
        ---------- ids
        all_periods.tenant_id,

        ---------- text
        tenants.pay_frequency,

        ---------- booleans
        period_closes.closes_at <= calendar_clock.as_of as is_closed,

        ---------- numerics
        tenants.periods_per_year,
        all_periods.period_end - all_periods.period_start + 1 as period_days,

        ---------- dates
        all_periods.period_start,
        all_periods.period_end,
        all_periods.period_end + tenants.pay_date_lag_days as pay_date,

        ---------- timestamps
        -- the clock-ins, UTC, that can touch the period: its first workweek
        -- reaches back six days before it, and a local date differs from UTC
        -- by less than a day (every model, check and audit reads these)
        (all_periods.period_start - 8)::timestamp at time zone 'UTC' as attendance_from,
        (all_periods.period_end + 2)::timestamp at time zone 'UTC' as attendance_to,
        period_closes.closes_at

    from all_periods
    inner join tenants
        on all_periods.tenant_id = tenants.tenant_id
    inner join period_closes
        on all_periods.tenant_id = period_closes.tenant_id
        and all_periods.period_start = period_closes.period_start
    cross join calendar_clock

)

select * from final
