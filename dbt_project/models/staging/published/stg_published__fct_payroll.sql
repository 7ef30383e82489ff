{#-
    Ephemeral: compiled into each model that reads it when that model is
    built, so a build before the first publish (no `marts.fct_payroll`
    yet) reads no rows instead of failing, and the first one after it reads
    the table. Only the columns the builds read: the pay register's keys,
    the FICA wage base, the earnings a correction is compared with, and the
    deductions, taxes and taxed wages of the year to date and the tax forms
    (CONTRACT §7).
-#}
{{ config(materialized='ephemeral') }}
{%- set published = source('published', 'fct_payroll') -%}
{%- set exists = execute and adapter.get_relation(
    database=published.database, schema=published.schema,
    identifier=published.identifier) is not none -%}
{%- set columns = {
    'tenant_id': 'text', 'staff_id': 'text', 'location_id': 'text',
    'period_start': 'date', 'period_end': 'date', 'pay_date': 'date',
    'hours_worked': 'numeric', 'overtime_hours': 'numeric',
    'double_time_hours': 'numeric',
    'straight_time_pay': 'numeric', 'overtime_premium_pay': 'numeric',
    'bonus_pay': 'numeric', 'minimum_wage_makeup_pay': 'numeric',
    'premium_pay': 'numeric', 'card_tips_pay': 'numeric',
    'cash_tips_reported': 'numeric', 'tip_credit': 'numeric',
    'qualified_overtime_premium': 'numeric', 'gross_pay': 'numeric',
    'retirement_401k': 'numeric', 'section_125': 'numeric',
    'post_tax_deductions': 'numeric', 'federal_income_tax': 'numeric',
    'social_security_tax': 'numeric', 'medicare_tax': 'numeric',
    'state_income_tax': 'numeric', 'state_disability_tax': 'numeric',
    'net_pay': 'numeric', 'employer_social_security_tax': 'numeric',
    'employer_medicare_tax': 'numeric', 'futa_tax': 'numeric',
    'uncollected_social_security_tax': 'numeric',
    'uncollected_medicare_tax': 'numeric',
    'social_security_wages': 'numeric', 'social_security_tips': 'numeric',
    'medicare_wages_and_tips': 'numeric',
    'additional_medicare_wages': 'numeric', 'futa_wages': 'numeric',
} -%}
with

{% if exists -%}
source as (

    select * from {{ published }}

),
{%- else -%}
source as (

    select
            {%- for name, type in columns.items() %}
        null::{{ type }} as {{ name }}{% if not loop.last %},{% endif %}
            {%- endfor %}
    where false

),
{%- endif %}

renamed as (

    select
    {%- for name in columns %}
        {{ name }}{% if not loop.last %},{% endif %}
    {%- endfor %}
    from source

)

select * from renamed
