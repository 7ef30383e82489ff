{{ config(materialized='table') }}
{#- A table: the run's models and tests read it several times; computed once. -#}
{#-
    Each shift part priced at the rate in effect on its work date
    (staff-specific beats the role default), with the minimum wage of its
    work date and location (CONTRACT §6): the highest `minimum_wage` in
    effect among US, the location's state and its locality, the tip-credit
    terms being those of that same row (on a tie, the smaller
    `max_tip_credit`, empty counting as 0). Salaried staff earn no straight
    time: their hours count, their pay is the salary.
-#}
with

shift_parts as (

    select * from {{ ref('int_shifts_split_at_midnight') }}

),

minimum_wages as (

    select * from {{ ref('minimum_wages') }}

),

-- once per location and work date, not per part: a handful of rows per day
location_days as (

    select distinct
        jurisdiction,
        locality,
        work_date
    from shift_parts

),

location_day_minimum_wages as (

    select distinct on (location_days.jurisdiction, location_days.locality, location_days.work_date)
        location_days.jurisdiction,
        location_days.locality,
        location_days.work_date,
        candidates.minimum_wage,
        candidates.max_tip_credit
    from location_days
    inner join minimum_wages as candidates
        on candidates.jurisdiction
        in ('US', location_days.jurisdiction, location_days.locality)
        and candidates.effective_from <= location_days.work_date
        -- the row in effect: no later row of its jurisdiction starts by then
        and not exists (
            select 1 from minimum_wages as later
            where later.jurisdiction = candidates.jurisdiction
                and later.effective_from > candidates.effective_from
                and later.effective_from <= location_days.work_date
        )
    order by
        location_days.jurisdiction asc,
        location_days.locality asc,
        location_days.work_date asc,
        candidates.minimum_wage desc,
        coalesce(candidates.max_tip_credit, 0) asc

),

rated as (

    select distinct on (shift_parts.tenant_id, shift_parts.event_id, shift_parts.work_date)
        shift_parts.*,
        case
            when not shift_parts.is_salaried
                then {{ rate_in_effect('on_work_date') }}
        end as hourly_rate,
        {{ rate_takes_tip_credit('shift_parts', 'on_work_date') }}
            as is_tip_credit_rate
    from shift_parts
    {{ join_rates_in_effect('shift_parts', 'shift_parts.work_date', 'on_work_date') }}
    order by
        shift_parts.tenant_id asc,
        shift_parts.event_id asc,
        shift_parts.work_date asc,
        {{ rate_precedence('on_work_date') }}

),

final as (

    select
        rated.*,
        location_day_minimum_wages.minimum_wage,
        location_day_minimum_wages.max_tip_credit,
        -- pay × 3600 stays an exact decimal (rate × seconds); sums divide by
        -- 3600 once, so $12.30 × 101 min is 20.705 and rounds to 20.71
        coalesce(rated.hourly_rate * rated.seconds_worked, 0)
            as straight_time_pay_seconds,
        coalesce(rated.hourly_rate * rated.seconds_worked / 3600, 0)
            as straight_time_pay
    from rated
    inner join location_day_minimum_wages
        on rated.jurisdiction = location_day_minimum_wages.jurisdiction
        -- equal keys (a hash join): a part without locality matches its null
        and coalesce(rated.locality, '') = coalesce(location_day_minimum_wages.locality, '')
        and rated.work_date = location_day_minimum_wages.work_date

)

select * from final
