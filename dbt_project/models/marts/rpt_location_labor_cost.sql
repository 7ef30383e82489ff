{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_selected_period_rows() }}",
    )
}}
with

payroll as (

    select * from {{ ref('fct_payroll') }}

),

selected_period_payroll as (

    select *
    from payroll
    where {{ in_selected_period('payroll') }}

),

final as (

    select
        ---------- ids
        tenant_id,
        location_id,

        ---------- dates
        period_start,

        ---------- numerics
        sum(hours_worked) as hours_worked,
        sum(gross_pay) as gross_pay,
        sum(employer_social_security_tax + employer_medicare_tax + futa_tax)
            as employer_taxes

    from selected_period_payroll
    group by tenant_id, location_id, period_start

)

select * from final
