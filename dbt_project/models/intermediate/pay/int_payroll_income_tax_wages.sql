{#-
    FICA, FUTA and SDI taxes on the year-to-date wage bases — on all wages
    and on the wages other than tips (CONTRACT §6) — then the 401(k), which
    never takes the money the taxes on the wages other than tips need, and
    what is left for income tax: income-tax wages = FICA wages − 401(k). Each staff
    member with the W-4 and the tax tables in effect for the pay date's
    year: the latest published year's tables apply until the next year's
    are added.
-#}
with

year_to_date as (

    select * from {{ ref('int_payroll_year_to_date') }}

),

staff as (

    select * from {{ ref('stg_raw__staff') }}

),

locations as (

    select * from {{ ref('stg_raw__locations') }}

),

withholding_brackets as (

    select * from {{ ref('federal_withholding_2026') }}

),

withholding_adjustments as (

    select * from {{ ref('federal_withholding_2026_adjustments') }}

),

payroll_tax_rates as (

    select * from {{ ref('payroll_tax_rates') }}

),

state_tax_rules as (

    select * from {{ ref('tax_approximation_rules') }}

),

-- the latest published year's tables apply until the next year's are
-- added: resolved once per tax year of the build, so every later join is on
-- equal keys
tables_in_effect as (

    select
        build_years.tax_year,
        (
            select max(r.tax_year) from payroll_tax_rates as r
            where r.tax_year <= build_years.tax_year
        ) as rates_year,
        (
            select max(a.tax_year) from withholding_adjustments as a
            where a.tax_year <= build_years.tax_year
        ) as withholding_adjustments_year,
        (
            select max(b.tax_year) from withholding_brackets as b
            where b.tax_year <= build_years.tax_year
        ) as withholding_brackets_year
    from (select distinct tax_year from year_to_date) as build_years

),

state_rules_in_effect as (

    select
        build_years.tax_year as build_tax_year,
        state_tax_rules.*
    from (select distinct tax_year from year_to_date) as build_years
    inner join state_tax_rules
        on state_tax_rules.tax_year = (
            select max(s.tax_year) from state_tax_rules as s
            where s.jurisdiction = state_tax_rules.jurisdiction
                and s.tax_year <= build_years.tax_year
        )

),

with_staff_and_rates as (

    select
        year_to_date.*,
        staff.filing_status,
        case when staff.has_w4_step2 then 'step2_checked' else 'standard' end
            as withholding_schedule,
        staff.w4_dependents,
        staff.w4_other_income,
        staff.w4_deductions,
        staff.w4_extra_withholding,
        rates.social_security_rate,
        rates.social_security_wage_base,
        rates.medicare_rate,
        rates.additional_medicare_rate,
        rates.additional_medicare_threshold,
        rates.futa_rate,
        rates.futa_wage_base,
        tables_in_effect.withholding_adjustments_year,
        tables_in_effect.withholding_brackets_year,
        coalesce(state_rules.income_tax_rate, 0) as state_income_tax_rate,
        coalesce(state_rules.disability_insurance_rate, 0)
            as state_disability_rate
    from year_to_date
    inner join staff
        on year_to_date.tenant_id = staff.tenant_id
        and year_to_date.staff_id = staff.staff_id
    inner join locations
        on staff.tenant_id = locations.tenant_id
        and staff.home_location_id = locations.location_id
    inner join tables_in_effect
        on year_to_date.tax_year = tables_in_effect.tax_year
    inner join payroll_tax_rates as rates
        on tables_in_effect.rates_year = rates.tax_year
    left join state_rules_in_effect as state_rules
        on locations.jurisdiction = state_rules.jurisdiction
        and year_to_date.tax_year = state_rules.build_tax_year

),

fica_taxes as (

    -- on all wages, and as if the period had no tips (the order of §6)
    select
        with_staff_and_rates.*,
        {{ employee_fica_and_sdi('fica_wages', '_on_all_wages') }},
        {{ employee_fica_and_sdi('fica_wages_other_than_tips', '_on_other_wages') }},
        {{ round_money('medicare_rate * fica_wages') }}
            as employer_medicare_tax,
        -- the period's wages each tax applies to (Form 941 lines 5a–5d, 940
        -- line 7, W-2 boxes 3, 5 and 7): tips take what the Social Security
        -- wage base leaves after the other wages
        least(
            fica_wages_other_than_tips,
            greatest(0, social_security_wage_base - social_security_wages_ytd)
        ) as social_security_taxable_wages,
        least(fica_wages, greatest(0, social_security_wage_base - social_security_wages_ytd))
        - least(
            fica_wages_other_than_tips,
            greatest(0, social_security_wage_base - social_security_wages_ytd)
        ) as social_security_taxable_tips,
        greatest(0, medicare_wages_ytd + fica_wages - additional_medicare_threshold)
        - greatest(0, medicare_wages_ytd - additional_medicare_threshold)
            as additional_medicare_wages,
        least(fica_wages, greatest(0, futa_wage_base - futa_wages_ytd)) as futa_wages,
        {{ round_money(
            'futa_rate * least(fica_wages, greatest(0,'
            ~ ' futa_wage_base - futa_wages_ytd))'
        ) }} as futa_tax
    from with_staff_and_rates

),

-- Publication 15 §6, steps (1)–(2): after section 125, the taxes on the
-- wages other than tips, then the 401(k), which never takes the money those
-- taxes need; what is left goes on to the income taxes
retirement_capped as (

    select
        fica_taxes.*,
        social_security_on_other_wages_step.social_security_on_other_wages,
        medicare_on_other_wages_step.medicare_on_other_wages,
        state_disability_on_other_wages_step.state_disability_on_other_wages,
        retirement_401k_step.retirement_401k,
        retirement_401k_step.retirement_401k_cash_left as cash_left_for_income_taxes
    from fica_taxes
    {{ withholding_step(
        'social_security_on_other_wages', 'social_security_tax_on_other_wages',
        'cash_to_withhold_from - section_125') }}
    {{ withholding_step(
        'medicare_on_other_wages', 'medicare_tax_on_other_wages',
        'social_security_on_other_wages_cash_left') }}
    {{ withholding_step(
        'state_disability_on_other_wages', 'state_disability_tax_on_other_wages',
        'medicare_on_other_wages_cash_left') }}
    {{ withholding_step(
        'retirement_401k', 'retirement_401k_elected',
        'state_disability_on_other_wages_cash_left') }}

),

income_tax_wages_computed as (

    select
        retirement_capped.*,
        fica_wages - retirement_401k as income_tax_wages,
        greatest(0, fica_wages_other_than_tips - retirement_401k)
            as income_tax_wages_other_than_tips
    from retirement_capped

)

select * from income_tax_wages_computed
