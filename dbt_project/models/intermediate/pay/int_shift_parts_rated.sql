{{ config(materialized='table') }}
{#- A table: the run's models and tests read it several times; computed once. -#}
{#-
    Each shift part priced at the rate in effect on its work date
    (staff-specific beats the role default). Salaried staff earn no straight
    time: their hours count, their pay is the salary.
-#}
with

shift_parts as (

    select * from {{ ref('int_shifts_split_at_midnight') }}

),

pay_rates as (

    select * from {{ ref('stg_raw__pay_rates') }}

),

-- every rate in effect on the part's work date: the staff member's own and
-- the role's default, each found by equal keys (a hash join, not a lookup
-- per part)
rates_in_effect as (

    select
        shift_parts.tenant_id,
        shift_parts.event_id,
        shift_parts.work_date,
        pay_rates.hourly_rate,
        pay_rates.is_role_default,
        pay_rates.effective_from
    from shift_parts
    inner join pay_rates
        on shift_parts.tenant_id = pay_rates.tenant_id
        and shift_parts.staff_id = pay_rates.staff_id
        and shift_parts.role = pay_rates.role
        and shift_parts.work_date
        between pay_rates.effective_from and pay_rates.effective_to
    where not shift_parts.is_salaried
    union all
    select
        shift_parts.tenant_id,
        shift_parts.event_id,
        shift_parts.work_date,
        pay_rates.hourly_rate,
        pay_rates.is_role_default,
        pay_rates.effective_from
    from shift_parts
    inner join pay_rates
        on shift_parts.tenant_id = pay_rates.tenant_id
        and shift_parts.role = pay_rates.role
        and pay_rates.is_role_default
        and shift_parts.work_date
        between pay_rates.effective_from and pay_rates.effective_to
    where not shift_parts.is_salaried

),

-- the staff member's own rate beats the role's default; the latest
-- effective_from wins (the same order as effective_hourly_rate())
rate_of_part as (

    select distinct on (tenant_id, event_id, work_date)
        tenant_id,
        event_id,
        work_date,
        hourly_rate
    from rates_in_effect
    order by tenant_id, event_id, work_date, is_role_default, effective_from desc

),

rated as (

    select
        shift_parts.*,
        rate_of_part.hourly_rate
    from shift_parts
    left join rate_of_part
        on shift_parts.tenant_id = rate_of_part.tenant_id
        and shift_parts.event_id = rate_of_part.event_id
        and shift_parts.work_date = rate_of_part.work_date

),

final as (

    select
        rated.*,
        -- pay × 3600 stays an exact decimal (rate × seconds); sums divide by
        -- 3600 once, so $12.30 × 101 min is 20.705 and rounds to 20.71
        coalesce(rated.hourly_rate * rated.seconds_worked, 0)
            as straight_time_pay_seconds,
        coalesce(rated.hourly_rate * rated.seconds_worked / 3600, 0)
            as straight_time_pay
    from rated

)

select * from final
