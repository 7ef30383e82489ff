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

    select
        shift_parts.*,
        case when not shift_parts.is_salaried then
            {{ effective_hourly_rate(
                'shift_parts.tenant_id', 'shift_parts.staff_id',
                'shift_parts.role', 'shift_parts.work_date') }}
        end as hourly_rate
    from shift_parts

),

final as (

    select
        rated.*,
        coalesce(rated.hours_worked * rated.hourly_rate, 0) as straight_time_pay
    from rated

)

select * from final
