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

rated as (

    select distinct on (shift_parts.tenant_id, shift_parts.event_id, shift_parts.work_date)
        shift_parts.*,
        case
            when not shift_parts.is_salaried
                then {{ rate_in_effect('on_work_date') }}
        end as hourly_rate
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
        -- pay × 3600 stays an exact decimal (rate × seconds); sums divide by
        -- 3600 once, so $12.30 × 101 min is 20.705 and rounds to 20.71
        coalesce(rated.hourly_rate * rated.seconds_worked, 0)
            as straight_time_pay_seconds,
        coalesce(rated.hourly_rate * rated.seconds_worked / 3600, 0)
            as straight_time_pay
    from rated

)

select * from final
