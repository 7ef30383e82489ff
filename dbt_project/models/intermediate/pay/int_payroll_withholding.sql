{#-
    Income taxes and what is left: federal withholding (Pub 15-T 2026,
    percentage method, Worksheet 1A, W-4 2020+), the state income tax
    approximation, then the post-tax deductions. Net pay is never negative:
    withholding never takes more than the wages left after FICA and SDI,
    and post-tax deductions at most what is left after the taxes.
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

    -- Worksheet 1A lines 1a–1i
    select
        income_tax_wages_computed.*,
        greatest(
            0,
            income_tax_wages_computed.income_tax_wages
            * income_tax_wages_computed.periods_per_year
            + income_tax_wages_computed.w4_other_income
            - income_tax_wages_computed.w4_deductions
            - adjustments.line_1g_amount
        ) as adjusted_annual_wage
    from income_tax_wages_computed
    inner join withholding_adjustments as adjustments
        on adjustments.filing_status = income_tax_wages_computed.filing_status
        and adjustments.schedule
        = income_tax_wages_computed.withholding_schedule
        and adjustments.tax_year
        = income_tax_wages_computed.withholding_adjustments_year

),

federal_withholding as (

    -- Worksheet 1A lines 2a–4b
    select
        withholding_wage_annualized.*,
        greatest(
            0,
            (
                brackets.tentative_amount
                + (withholding_wage_annualized.adjusted_annual_wage - brackets.over)
                * brackets.rate
            ) / withholding_wage_annualized.periods_per_year
            - withholding_wage_annualized.w4_dependents
            / withholding_wage_annualized.periods_per_year
        ) + withholding_wage_annualized.w4_extra_withholding as federal_income_tax_exact
    from withholding_wage_annualized
    inner join withholding_brackets as brackets
        on brackets.filing_status = withholding_wage_annualized.filing_status
        and brackets.schedule = withholding_wage_annualized.withholding_schedule
        and brackets.tax_year
        = withholding_wage_annualized.withholding_brackets_year
        and withholding_wage_annualized.adjusted_annual_wage >= brackets.over
        and (
            brackets.but_not_over is null
            or withholding_wage_annualized.adjusted_annual_wage
            < brackets.but_not_over
        )

),

state_income_tax_computed as (

    select
        federal_withholding.*,
        {{ round_money('state_income_tax_rate * income_tax_wages') }}
            as state_income_tax_exact
    from federal_withholding

),

state_tax_capped as (

    -- withholding never takes more than the wages left after FICA
    select
        state_income_tax_computed.*,
        least(
            state_income_tax_exact,
            greatest(
                0,
                income_tax_wages - social_security_tax - medicare_tax
                - state_disability_tax
            )
        ) as state_income_tax
    from state_income_tax_computed

),

federal_tax_capped as (

    select
        state_tax_capped.*,
        least(
            {{ round_money('federal_income_tax_exact') }},
            greatest(
                0,
                income_tax_wages - social_security_tax - medicare_tax
                - state_disability_tax - state_income_tax
            )
        ) as federal_income_tax
    from state_tax_capped

),

post_tax_capped as (

    select
        federal_tax_capped.*,
        least(
            post_tax_elected,
            greatest(
                0,
                income_tax_wages - federal_income_tax - social_security_tax
                - medicare_tax - state_income_tax - state_disability_tax
            )
        ) as post_tax_deductions
    from federal_tax_capped

)

select * from post_tax_capped
