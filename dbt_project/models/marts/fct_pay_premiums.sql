{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_selected_period_rows() }}",
    )
}}
{#-
    One row per premium a workday earned from its punches (CONTRACT §6):
    California meal period and split shift, New York spread of hours, with
    the attendance event_ids of the day it was computed from. Paid with the
    workweek, in the period of its last day; per staff and period the rows
    sum to fct_payroll.premium_pay.
-#}
with

premiums as (

    select * from {{ ref('int_workday_premiums') }}

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
        hours,
        rate,
        amount::numeric(14, 2) as amount,

        ---------- dates
        work_date,
        period_start,

        ---------- audit
        {{ build_run_id_column() }} as run_id

    from premiums
    where {{ in_selected_period('premiums') }}

)

select * from final
