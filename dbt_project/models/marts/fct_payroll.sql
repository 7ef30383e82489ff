{#- No nested loops: the planner has no statistics for CTEs and expects a
    handful of rows where a year of periods has tens of thousands; a nested
    loop over them took 40 s at 100 k shifts, hashed 0.4 s. The
    intermediate models it selects from are ephemeral: this one statement
    computes them all, as when they were its own CTEs (views cost a dbt node
    each per run, tables a write each, for the same statement). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
        pre_hook=[
            "{{ delete_selected_period_rows() }}",
            "set local enable_nestloop = off",
        ],
    )
}}
{#-
    The pay register: gross (with the tips, make-up and premiums of
    CONTRACT §6), pre-tax deductions, withholding from the cash paid, FICA
    with year-to-date caps, state taxes, net, each money column cast to cents
    (rounded once, upstream). Computed in the intermediate models, in the
    order the taxes depend on each other (wages do not depend on taxes, so
    there is no circularity):
      int_payroll_earnings_assembled  earnings + corrections paid in the period
      int_payroll_pretax_bases        deductions elected, section 125, FICA wages
      int_payroll_year_to_date        FICA wages of the earlier periods of the year
      int_payroll_income_tax_wages    FICA, FUTA, SDI; the 401(k); income-tax wages
      int_payroll_withholding         federal and state income tax, post-tax deductions
    The pre-hook reads the finalized periods (delete_selected_period_rows):
-#}
-- depends_on: {{ ref('stg_control__pay_period_finalizations') }}
with

withholding as (

    select * from {{ ref('int_payroll_withholding') }}

),

final as (

    select
        ---------- ids
        tenant_id,
        staff_id,
        location_id,

        ---------- dates
        period_start,
        period_end,
        pay_date,

        ---------- hours
        hours_worked,
        overtime_hours,
        double_time_hours,

        ---------- earnings
        {{ as_cents('salary_pay') }} as salary_pay,
        {{ as_cents('straight_time_pay') }} as straight_time_pay,
        {{ as_cents('overtime_premium_pay') }} as overtime_premium_pay,
        {{ as_cents('bonus_pay') }} as bonus_pay,
        {{ as_cents('gross_pay') }} as gross_pay,

        ---------- deductions and employee taxes
        {{ as_cents('retirement_401k') }} as retirement_401k,
        {{ as_cents('section_125') }} as section_125,
        {{ as_cents('federal_income_tax') }} as federal_income_tax,
        {{ as_cents('social_security_tax') }} as social_security_tax,
        {{ as_cents('medicare_tax') }} as medicare_tax,
        {{ as_cents('state_income_tax') }} as state_income_tax,
        {{ as_cents('state_disability_tax') }} as state_disability_tax,
        {{ as_cents('post_tax_deductions') }} as post_tax_deductions,
        {{ as_cents(
            'gross_pay - cash_tips_reported - retirement_401k - section_125'
            ~ ' - federal_income_tax - social_security_tax - medicare_tax'
            ~ ' - state_income_tax - state_disability_tax - post_tax_deductions'
        ) }} as net_pay,

        ---------- employer taxes
        {{ as_cents('employer_social_security_tax') }}
            as employer_social_security_tax,
        {{ as_cents('employer_medicare_tax') }} as employer_medicare_tax,
        {{ as_cents('futa_tax') }} as futa_tax,

        ---------- audit
        {{ build_run_id_column() }} as run_id,

        ---------- the register's sums, of the rounded parts (after run_id:
        ---------- where a published table that predates them has them)
        {{ as_cents('retirement_401k + section_125') }} as pre_tax_deductions,
        {{ as_cents(
            'federal_income_tax + social_security_tax + medicare_tax'
            ~ ' + state_income_tax + state_disability_tax'
        ) }} as employee_taxes,

        ---------- CONTRACT §6: in gross pay ...
        {{ as_cents('minimum_wage_makeup_pay') }} as minimum_wage_makeup_pay,
        {{ as_cents('premium_pay') }} as premium_pay,
        {{ as_cents('card_tips_pay') }} as card_tips_pay,
        {{ as_cents('cash_tips_reported') }} as cash_tips_reported,
        ---------- ... informational ...
        {{ as_cents('tip_credit') }} as tip_credit,
        {{ as_cents('qualified_overtime_premium') }} as qualified_overtime_premium,
        ---------- ... and owed but not withheld (W-2 box 12 codes A and B)
        {{ as_cents('uncollected_social_security_tax') }}
            as uncollected_social_security_tax,
        {{ as_cents('uncollected_medicare_tax') }} as uncollected_medicare_tax,

        ---------- CONTRACT §7: the wages each tax applied to (the tax forms)
        {{ as_cents('social_security_taxable_wages') }} as social_security_wages,
        {{ as_cents('social_security_taxable_tips') }} as social_security_tips,
        {{ as_cents('fica_wages') }} as medicare_wages_and_tips,
        {{ as_cents('additional_medicare_wages') }} as additional_medicare_wages,
        {{ as_cents('futa_wages') }} as futa_wages

    from withholding

)

select * from final
