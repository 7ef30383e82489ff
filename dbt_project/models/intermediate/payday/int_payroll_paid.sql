{{ config(materialized='ephemeral') }}
{#-
    Every pay register row as the marts hold it once this build publishes:
    the published periods this build does not compute, and this build's
    periods from its own register. What the payday marts sum (year to date,
    the tax forms), so a run of many periods sees each one's predecessors.
-#}
with

published as (

    select * from {{ ref('stg_published__fct_payroll') }}

),

built as (

    select * from {{ ref('fct_payroll') }}

),

paid as (

    select
        published.tenant_id,
        published.staff_id,
        published.location_id,
        published.period_start,
        published.period_end,
        published.pay_date,
        published.hours_worked,
        published.overtime_hours,
        published.double_time_hours,
        published.gross_pay,
        published.card_tips_pay,
        published.cash_tips_reported,
        published.qualified_overtime_premium,
        published.retirement_401k,
        published.section_125,
        published.post_tax_deductions,
        published.federal_income_tax,
        published.social_security_tax,
        published.medicare_tax,
        published.state_income_tax,
        published.state_disability_tax,
        published.net_pay,
        published.employer_social_security_tax,
        published.employer_medicare_tax,
        published.futa_tax,
        published.uncollected_social_security_tax,
        published.uncollected_medicare_tax,
        published.social_security_wages,
        published.social_security_tips,
        published.medicare_wages_and_tips,
        published.additional_medicare_wages,
        published.futa_wages,
        false as is_in_build
    from published
    where not ({{ in_selected_period('published') }})
    union all
    select
        built.tenant_id,
        built.staff_id,
        built.location_id,
        built.period_start,
        built.period_end,
        built.pay_date,
        built.hours_worked,
        built.overtime_hours,
        built.double_time_hours,
        built.gross_pay,
        built.card_tips_pay,
        built.cash_tips_reported,
        built.qualified_overtime_premium,
        built.retirement_401k,
        built.section_125,
        built.post_tax_deductions,
        built.federal_income_tax,
        built.social_security_tax,
        built.medicare_tax,
        built.state_income_tax,
        built.state_disability_tax,
        built.net_pay,
        built.employer_social_security_tax,
        built.employer_medicare_tax,
        built.futa_tax,
        built.uncollected_social_security_tax,
        built.uncollected_medicare_tax,
        built.social_security_wages,
        built.social_security_tips,
        built.medicare_wages_and_tips,
        built.additional_medicare_wages,
        built.futa_wages,
        true as is_in_build
    from built
    where {{ in_selected_period('built') }}

)

select * from paid
