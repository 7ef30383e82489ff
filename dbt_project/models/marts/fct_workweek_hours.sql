{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_selected_period_rows() }}",
    )
}}
with

workweeks as (

    select * from {{ ref('int_workweeks_summed') }}

),

final as (

    select
        ---------- ids
        tenant_id,
        staff_id,

        ---------- dates
        workweek_start,
        period_start,

        ---------- numerics
        round(hours_worked, 4) as hours_worked,
        round(overtime_hours, 4) as overtime_hours,
        round(double_time_hours, 4) as double_time_hours,
        {{ round_money('straight_time_pay') }} as straight_time_pay,
        {{ round_money('bonus_pay') }} as bonus_pay,
        round(regular_rate, 4) as regular_rate,
        {{ round_money('overtime_premium_pay') }} as overtime_premium_pay,
        {{ round_money('tips') }} as tips,
        {{ round_money('tip_credit') }} as tip_credit,
        {{ round_money('minimum_wage_makeup_pay') }} as minimum_wage_makeup_pay,
        {{ round_money('qualified_overtime_premium') }}
            as qualified_overtime_premium

    from workweeks
    -- workweeks of finalized periods recomputed for adjustments stay out
    where {{ in_selected_period('workweeks') }}

)

select * from final
