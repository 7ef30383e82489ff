{#-
    Income taxes and what is left: federal withholding (Pub 15-T 2026,
    percentage method, Worksheet 1A, W-4 2020+), the state income tax
    approximation, then the post-tax deductions, each on all wages and on
    the wages other than tips, withheld in Publication 15 §6's order from
    the cash paid (CONTRACT §6). Net pay is never negative: no step takes
    more than the cash the earlier ones left.
-#}
with

income_tax_wages_computed as (

    select * from {{ ref('int_payroll_income_tax_wages') }}

),

withholding_brackets as (

    select * from {{ ref('federal_withholding_2026') }}

),

withholding_adjustments as (

    select * from {{ ref('federal_withholding_2026_adjustments') }}

),

-- materialized: computed once per row, not once per bracket compared
withholding_wage_annualized as materialized (

    -- Worksheet 1A lines 1a–1i, on all wages and on the wages other than tips
    select
        income_tax_wages_computed.*,
        greatest(
            0,
            income_tax_wages_computed.income_tax_wages
            * income_tax_wages_computed.periods_per_year
            + income_tax_wages_computed.w4_other_income
            - income_tax_wages_computed.w4_deductions
            - adjustments.line_1g_amount
        ) as adjusted_annual_wage,
        greatest(
            0,
            income_tax_wages_computed.income_tax_wages_other_than_tips
            * income_tax_wages_computed.periods_per_year
            + income_tax_wages_computed.w4_other_income
            - income_tax_wages_computed.w4_deductions
            - adjustments.line_1g_amount
        ) as adjusted_annual_wage_other_than_tips
    from income_tax_wages_computed
    inner join withholding_adjustments as adjustments
        on adjustments.filing_status = income_tax_wages_computed.filing_status
        and adjustments.schedule
        = income_tax_wages_computed.withholding_schedule
        and adjustments.tax_year
        = income_tax_wages_computed.withholding_adjustments_year

),

income_taxes as (

    -- Worksheet 1A lines 2a–4b (the bracket of each annual wage), and the
    -- state approximation, each rounded
    select
        annualized.*,
        {{ federal_withholding('all_wages', 'annualized.adjusted_annual_wage') }}
            as federal_income_tax_on_all_wages,
        {{ federal_withholding(
            'other_wages', 'annualized.adjusted_annual_wage_other_than_tips') }}
            as federal_income_tax_on_other_wages,
        {{ round_money('annualized.state_income_tax_rate * annualized.income_tax_wages') }}
            as state_income_tax_on_all_wages,
        {{ round_money(
            'annualized.state_income_tax_rate'
            ~ ' * annualized.income_tax_wages_other_than_tips') }}
            as state_income_tax_on_other_wages
    from withholding_wage_annualized as annualized
    inner join withholding_brackets as all_wages
        on annualized.filing_status = all_wages.filing_status
        and annualized.withholding_schedule = all_wages.schedule
        and annualized.withholding_brackets_year = all_wages.tax_year
        and annualized.adjusted_annual_wage >= all_wages.over
        and (
            all_wages.but_not_over is null
            or annualized.adjusted_annual_wage < all_wages.but_not_over
        )
    inner join withholding_brackets as other_wages
        on annualized.filing_status = other_wages.filing_status
        and annualized.withholding_schedule = other_wages.schedule
        and annualized.withholding_brackets_year = other_wages.tax_year
        and annualized.adjusted_annual_wage_other_than_tips >= other_wages.over
        and (
            other_wages.but_not_over is null
            or annualized.adjusted_annual_wage_other_than_tips < other_wages.but_not_over
        )

),

-- Publication 15 §6, steps (2)–(5), each capped at the cash the earlier
-- ones left: the income taxes on the wages other than tips, then Social
-- Security, Medicare and SDI on the tips, the income taxes on the tips,
-- and the post-tax deductions. Without tips this is the order of §4.
withheld as (

    select
        income_taxes.*,
        state_on_other_wages_step.state_on_other_wages
        + state_on_tips_step.state_on_tips as state_income_tax,
        federal_on_other_wages_step.federal_on_other_wages
        + federal_on_tips_step.federal_on_tips as federal_income_tax,
        income_taxes.social_security_on_other_wages
        + social_security_on_tips_step.social_security_on_tips as social_security_tax,
        income_taxes.medicare_on_other_wages
        + medicare_on_tips_step.medicare_on_tips as medicare_tax,
        income_taxes.state_disability_on_other_wages
        + state_disability_on_tips_step.state_disability_on_tips as state_disability_tax,
        post_tax_deductions_step.post_tax_deductions
    from income_taxes
    {{ withholding_step(
        'state_on_other_wages', 'state_income_tax_on_other_wages',
        'cash_left_for_income_taxes') }}
    {{ withholding_step(
        'federal_on_other_wages', 'federal_income_tax_on_other_wages',
        'state_on_other_wages_cash_left') }}
    {{ withholding_step(
        'social_security_on_tips',
        'greatest(0, social_security_tax_on_all_wages - social_security_tax_on_other_wages)',
        'federal_on_other_wages_cash_left') }}
    {{ withholding_step(
        'medicare_on_tips',
        'greatest(0, medicare_tax_on_all_wages - medicare_tax_on_other_wages)',
        'social_security_on_tips_cash_left') }}
    {{ withholding_step(
        'state_disability_on_tips',
        'greatest(0, state_disability_tax_on_all_wages'
        ~ ' - state_disability_tax_on_other_wages)',
        'medicare_on_tips_cash_left') }}
    {{ withholding_step(
        'state_on_tips',
        'greatest(0, state_income_tax_on_all_wages - state_income_tax_on_other_wages)',
        'state_disability_on_tips_cash_left') }}
    {{ withholding_step(
        'federal_on_tips',
        'greatest(0, federal_income_tax_on_all_wages - federal_income_tax_on_other_wages)',
        'state_on_tips_cash_left') }}
    {{ withholding_step(
        'post_tax_deductions', 'post_tax_elected', 'federal_on_tips_cash_left') }}

),

final as (

    -- employee Social Security and Medicare that could not be withheld are
    -- reported as uncollected (W-2 box 12 codes A and B); the employer's
    -- apply to every wage, tips included
    select
        withheld.*,
        social_security_tax_on_all_wages - social_security_tax
            as uncollected_social_security_tax,
        medicare_tax_on_all_wages - medicare_tax as uncollected_medicare_tax,
        social_security_tax_on_all_wages as employer_social_security_tax
    from withheld

)

select * from final
