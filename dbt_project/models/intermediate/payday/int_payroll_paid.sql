{{ config(materialized='ephemeral') }}
{#-
    Every pay register row as the marts hold it once this build publishes:
    the published periods this build does not compute, and this build's
    periods from its own register. What the payday marts sum (year to date,
    the tax forms), so a run of many periods sees each one's predecessors.
-#}
{%- set paid_columns = [
    'tenant_id',
    'staff_id',
    'location_id',
    'period_start',
    'period_end',
    'pay_date',
    'hours_worked',
    'overtime_hours',
    'double_time_hours',
    'gross_pay',
    'card_tips_pay',
    'cash_tips_reported',
    'qualified_overtime_premium',
    'retirement_401k',
    'section_125',
    'post_tax_deductions',
    'federal_income_tax',
    'social_security_tax',
    'medicare_tax',
    'state_income_tax',
    'state_disability_tax',
    'net_pay',
    'employer_social_security_tax',
    'employer_medicare_tax',
    'futa_tax',
    'uncollected_social_security_tax',
    'uncollected_medicare_tax',
    'social_security_wages',
    'social_security_tips',
    'medicare_wages_and_tips',
    'additional_medicare_wages',
    'futa_wages',
] -%}
with

published as (

    select * from {{ ref('stg_published__fct_payroll') }}

),

built as (

    select * from {{ ref('fct_payroll') }}

),

paid as (

    select
        {%- for column in paid_columns %}
        published.{{ column }},
        {%- endfor %}
        false as is_in_build
    from published
    where not ({{ in_selected_period('published') }})
    union all
    select
        {%- for column in paid_columns %}
        built.{{ column }},
        {%- endfor %}
        true as is_in_build
    from built
    where {{ in_selected_period('built') }}

)

select * from paid
