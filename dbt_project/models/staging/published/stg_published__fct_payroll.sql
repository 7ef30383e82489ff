{#-
    Ephemeral: compiled into each model that reads it when that model is
    built, so a build before the first publish (no `marts.fct_payroll`
    yet) reads no rows instead of failing, and the first one after it reads
    the table. Only the columns the builds read: the pay register's keys,
    the FICA wage base and the earnings a correction is compared with.
-#}
{{ config(materialized='ephemeral') }}
{%- set published = source('published', 'fct_payroll') -%}
{%- set exists = execute and adapter.get_relation(
    database=published.database, schema=published.schema,
    identifier=published.identifier) is not none -%}
with

{% if exists -%}
source as (

    select * from {{ published }}

),
{%- else -%}
source as (

    select
        null::text as tenant_id,
        null::text as staff_id,
        null::date as period_start,
        null::date as pay_date,
        null::numeric as hours_worked,
        null::numeric as overtime_hours,
        null::numeric as double_time_hours,
        null::numeric as straight_time_pay,
        null::numeric as overtime_premium_pay,
        null::numeric as bonus_pay,
        null::numeric as minimum_wage_makeup_pay,
        null::numeric as premium_pay,
        null::numeric as card_tips_pay,
        null::numeric as cash_tips_reported,
        null::numeric as tip_credit,
        null::numeric as qualified_overtime_premium,
        null::numeric as gross_pay,
        null::numeric as section_125
    where false

),
{%- endif %}

renamed as (

    select
        ---------- ids
        tenant_id,
        staff_id,

        ---------- dates
        period_start,
        pay_date,

        ---------- hours
        hours_worked,
        overtime_hours,
        double_time_hours,

        ---------- earnings and pre-tax deductions
        straight_time_pay,
        overtime_premium_pay,
        bonus_pay,
        minimum_wage_makeup_pay,
        premium_pay,
        card_tips_pay,
        cash_tips_reported,
        tip_credit,
        qualified_overtime_premium,
        gross_pay,
        section_125

    from source

)

select * from renamed
