{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_selected_period_rows() }}",
    )
}}
{#-
    The period's journal entry per location (CONTRACT §7): the register's
    columns summed over the staff of the location (fct_payroll.location_id)
    and booked on the side of gl_account_defaults, or the other side when
    the sum is negative (a correction that takes pay back). Debits equal
    credits to the cent because net pay is gross − cash tips − the
    deductions and taxes, each rounded once upstream:
      wages + card tips + employer taxes
        = gross − cash tips + employer taxes
        = withheld + employer taxes + net.
    Cash tips are not booked: the staff member has them already. A line of
    0.00 is no row.
-#}
with

payroll as (

    select * from {{ ref('fct_payroll') }}

),

defaults as (

    select * from {{ ref('gl_account_defaults') }}

),

tenant_accounts as (

    select * from {{ ref('stg_raw__gl_accounts') }}

),

locations_summed as (

    select
        tenant_id,
        period_start,
        location_id,
        sum(gross_pay - card_tips_pay - cash_tips_reported) as wages_expense,
        sum(card_tips_pay) as tips_payable,
        sum(employer_social_security_tax + employer_medicare_tax + futa_tax)
            as employer_tax_expense,
        sum(federal_income_tax) as federal_income_tax_payable,
        sum(social_security_tax + employer_social_security_tax) as social_security_payable,
        sum(medicare_tax + employer_medicare_tax) as medicare_payable,
        sum(futa_tax) as futa_payable,
        sum(state_income_tax) as state_income_tax_payable,
        sum(state_disability_tax) as state_disability_payable,
        sum(retirement_401k) as retirement_401k_payable,
        sum(section_125) as section_125_payable,
        sum(post_tax_deductions) as post_tax_deductions_payable,
        sum(net_pay) as net_pay_payable
    from payroll
    where {{ in_selected_period('payroll') }}
    group by tenant_id, period_start, location_id

),

lines as (

    select
        locations_summed.tenant_id,
        locations_summed.period_start,
        locations_summed.location_id,
        line.line,
        line.amount
    from locations_summed
    cross join
        lateral (
            values
            ('wages_expense', locations_summed.wages_expense),
            ('tips_payable', locations_summed.tips_payable),
            ('employer_tax_expense', locations_summed.employer_tax_expense),
            ('federal_income_tax_payable', locations_summed.federal_income_tax_payable),
            ('social_security_payable', locations_summed.social_security_payable),
            ('medicare_payable', locations_summed.medicare_payable),
            ('futa_payable', locations_summed.futa_payable),
            ('state_income_tax_payable', locations_summed.state_income_tax_payable),
            ('state_disability_payable', locations_summed.state_disability_payable),
            ('retirement_401k_payable', locations_summed.retirement_401k_payable),
            ('section_125_payable', locations_summed.section_125_payable),
            ('post_tax_deductions_payable', locations_summed.post_tax_deductions_payable),
            ('net_pay_payable', locations_summed.net_pay_payable)
        ) as line (line, amount)
    where line.amount <> 0

),

final as (

    select
        ---------- ids
        lines.tenant_id,
        lines.period_start,
        lines.location_id,

        ---------- the line
        lines.line,
        coalesce(tenant_accounts.account, defaults.account) as account,
        {{ as_cents(
            "case when (defaults.side = 'debit') = (lines.amount > 0)"
            ~ " then abs(lines.amount) else 0 end"
        ) }} as debit,
        {{ as_cents(
            "case when (defaults.side = 'credit') = (lines.amount > 0)"
            ~ " then abs(lines.amount) else 0 end"
        ) }} as credit,

        ---------- audit
        {{ build_run_id_column() }} as run_id

    from lines
    inner join defaults
        on lines.line = defaults.line
    left join tenant_accounts
        on lines.tenant_id = tenant_accounts.tenant_id
        and lines.line = tenant_accounts.line

)

select * from final
