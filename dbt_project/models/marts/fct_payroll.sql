{#- No nested loops: the planner has no statistics for CTEs and expects a
    handful of rows where a year of periods has tens of thousands; a nested
    loop over them took 40 s at 100 k shifts, hashed 0.4 s. -#}
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
    The pay register: gross, pre-tax deductions, withholding (Pub 15-T 2026
    Worksheet 1A), FICA with year-to-date caps, state taxes, net. Year to
    date = ytd_opening + every earlier period of the same calendar year (by
    pay date): the published periods outside this build and the earlier ones
    of this build, in one window over the range, so a year of periods is
    correct in one statement. Wages do not depend on taxes, so there is no
    circularity.
    Net pay is never negative: section 125 takes at most the gross, the
    401(k) at most what the FICA and SDI taxes leave, income taxes and
    post-tax deductions at most what is left after them.
-#}
with

pay_periods as (

    select * from {{ ref('dim_pay_periods') }}

),

period_earnings as (

    select *
    from {{ ref('int_period_earnings') }} as int_period_earnings
    where {{ in_selected_period('int_period_earnings') }}

),

-- corrections to finalized periods paid in this one
adjustments_applied as (

    select
        tenant_id,
        staff_id,
        applied_period_start as period_start,
        sum(delta_hours_worked) as hours_worked,
        sum(delta_overtime_hours) as overtime_hours,
        sum(delta_double_time_hours) as double_time_hours,
        sum(delta_straight_time_pay) as straight_time_pay,
        sum(delta_overtime_premium_pay) as overtime_premium_pay,
        sum(delta_bonus_pay) as bonus_pay
    from {{ ref('fct_payroll_adjustments') }} as adjustment_lines
    where {{ in_selected_period('adjustment_lines', 'applied_period_start') }}
    group by 1, 2, 3

),

staff as (

    select * from {{ ref('stg_raw__staff') }}

),

earnings as (

    select
        coalesce(period_earnings.tenant_id, adjustments_applied.tenant_id) as tenant_id,
        coalesce(period_earnings.staff_id, adjustments_applied.staff_id) as staff_id,
        coalesce(period_earnings.location_id, staff.home_location_id) as location_id,
        coalesce(period_earnings.hours_worked, 0)
        + coalesce(adjustments_applied.hours_worked, 0) as hours_worked,
        coalesce(period_earnings.overtime_hours, 0)
        + coalesce(adjustments_applied.overtime_hours, 0) as overtime_hours,
        coalesce(period_earnings.double_time_hours, 0)
        + coalesce(adjustments_applied.double_time_hours, 0) as double_time_hours,
        coalesce(period_earnings.salary_pay, 0) as salary_pay,
        coalesce(period_earnings.straight_time_pay, 0)
        + coalesce(adjustments_applied.straight_time_pay, 0) as straight_time_pay,
        coalesce(period_earnings.overtime_premium_pay, 0)
        + coalesce(adjustments_applied.overtime_premium_pay, 0) as overtime_premium_pay,
        coalesce(period_earnings.bonus_pay, 0)
        + coalesce(adjustments_applied.bonus_pay, 0) as bonus_pay,
        coalesce(period_earnings.gross_pay, 0)
        + coalesce(adjustments_applied.straight_time_pay, 0)
        + coalesce(adjustments_applied.overtime_premium_pay, 0)
        + coalesce(adjustments_applied.bonus_pay, 0) as gross_pay,
        coalesce(period_earnings.period_start, adjustments_applied.period_start)
            as period_start,
        coalesce(period_earnings.period_end, pay_periods.period_end) as period_end,
        coalesce(period_earnings.pay_date, pay_periods.pay_date) as pay_date,
        coalesce(period_earnings.periods_per_year, pay_periods.periods_per_year)
            as periods_per_year
    from period_earnings
    full outer join adjustments_applied
        on period_earnings.tenant_id = adjustments_applied.tenant_id
        and period_earnings.staff_id = adjustments_applied.staff_id
        and period_earnings.period_start = adjustments_applied.period_start
    -- a staff member paid only corrections has no earnings row of the period
    left join pay_periods
        on adjustments_applied.tenant_id = pay_periods.tenant_id
        and adjustments_applied.period_start = pay_periods.period_start
    left join staff
        on adjustments_applied.tenant_id = staff.tenant_id
        and adjustments_applied.staff_id = staff.staff_id

),

locations as (

    select * from {{ ref('stg_raw__locations') }}

),

deductions as (

    select * from {{ ref('stg_raw__deductions') }}

),

ytd_openings as (

    select * from {{ ref('stg_raw__ytd_openings') }}

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

earning_periods as (

    select distinct tenant_id, period_start, period_end from earnings

),

-- per period, not per earnings row: a year of rows joined back to itself
deductions_in_effect_on_period_end as (

    select
        earning_periods.tenant_id,
        deductions.staff_id,
        earning_periods.period_start,
        coalesce(sum(deductions.amount_per_period) filter (
            where deductions.kind = 'retirement_401k'), 0) as retirement_401k,
        coalesce(sum(deductions.amount_per_period) filter (
            where deductions.kind = 'section_125'), 0) as section_125,
        coalesce(sum(deductions.amount_per_period) filter (
            where deductions.kind = 'post_tax'), 0) as post_tax_deductions
    from earning_periods
    inner join deductions
        on earning_periods.tenant_id = deductions.tenant_id
        and earning_periods.period_end
        between deductions.effective_from and deductions.effective_to
    group by 1, 2, 3

),

elections_rounded as (

    select
        earnings.*,
        extract(year from earnings.pay_date)::integer as tax_year,
        {{ round_money('coalesce(elected.retirement_401k, 0)') }}
            as retirement_401k_elected,
        {{ round_money('coalesce(elected.section_125, 0)') }}
            as section_125_elected,
        {{ round_money('coalesce(elected.post_tax_deductions, 0)') }}
            as post_tax_elected
    from earnings
    left join deductions_in_effect_on_period_end as elected
        on earnings.tenant_id = elected.tenant_id
        and earnings.staff_id = elected.staff_id
        and earnings.period_start = elected.period_start

),

wages_with_bases as (

    -- section 125 first (it lowers the FICA wages); the 401(k) is capped
    -- below, once the FICA taxes on what is left are known
    select
        elections_rounded.*,
        least(section_125_elected, greatest(0, gross_pay)) as section_125,
        -- Social Security, Medicare, FUTA and SDI wages alike
        gross_pay - least(section_125_elected, greatest(0, gross_pay))
            as fica_wages
    from elections_rounded

),

{%- set published_payroll = published_relation('fct_payroll') %}
{% if published_payroll is not none %}
published_earlier_periods as (

    -- what was paid: the published register, never the rows of a build
    -- that failed its audit; the periods of this build come from it
    select
        published.tenant_id,
        published.staff_id,
        published.period_start,
        published.pay_date,
        published.gross_pay - published.section_125 as fica_wages
    from {{ published_payroll }} as published
    where {{ in_selected_tenant('published') }}
        and not ({{ in_selected_period('published') }})

),
{% endif %}

fica_wage_history as (

    select tenant_id, staff_id, period_start, pay_date, fica_wages
    from wages_with_bases
    {% if published_payroll is not none %}
    union all
    select tenant_id, staff_id, period_start, pay_date, fica_wages
    from published_earlier_periods
    {% endif %}

),

fica_wages_before_period as (

    select
        tenant_id,
        staff_id,
        period_start,
        coalesce(
            sum(fica_wages) over (
                partition by
                    tenant_id, staff_id, extract(year from pay_date)
                order by pay_date, period_start
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as fica_wages_earlier_periods
    from fica_wage_history

),

year_to_date as (

    select
        wages_with_bases.*,
        coalesce(ytd_openings.social_security_wages, 0)
        + before.fica_wages_earlier_periods as social_security_wages_ytd,
        coalesce(ytd_openings.medicare_wages, 0)
        + before.fica_wages_earlier_periods as medicare_wages_ytd,
        coalesce(ytd_openings.futa_wages, 0)
        + before.fica_wages_earlier_periods as futa_wages_ytd
    from wages_with_bases
    inner join fica_wages_before_period as before
        on wages_with_bases.tenant_id = before.tenant_id
        and wages_with_bases.staff_id = before.staff_id
        and wages_with_bases.period_start = before.period_start
    left join ytd_openings
        on wages_with_bases.tenant_id = ytd_openings.tenant_id
        and wages_with_bases.staff_id = ytd_openings.staff_id
        and wages_with_bases.tax_year = ytd_openings.tax_year

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

    select build_years.tax_year as build_tax_year, state_tax_rules.*
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

    select
        with_staff_and_rates.*,
        {{ round_money(
            'social_security_rate * least(fica_wages, greatest(0,'
            ~ ' social_security_wage_base - social_security_wages_ytd))'
        ) }} as social_security_tax,
        {{ round_money(
            'medicare_rate * fica_wages + additional_medicare_rate * ('
            ~ 'greatest(0, medicare_wages_ytd + fica_wages'
            ~ ' - additional_medicare_threshold)'
            ~ ' - greatest(0,'
            ~ ' medicare_wages_ytd - additional_medicare_threshold))'
        ) }} as medicare_tax,
        {{ round_money('medicare_rate * fica_wages') }}
            as employer_medicare_tax,
        {{ round_money(
            'futa_rate * least(fica_wages, greatest(0,'
            ~ ' futa_wage_base - futa_wages_ytd))'
        ) }} as futa_tax,
        {{ round_money('state_disability_rate * fica_wages') }}
            as state_disability_tax
    from with_staff_and_rates

),

retirement_capped as (

    -- the 401(k) never takes the money the FICA and SDI taxes need
    select
        fica_taxes.*,
        least(
            retirement_401k_elected,
            greatest(
                0,
                fica_wages - social_security_tax - medicare_tax
                - state_disability_tax
            )
        ) as retirement_401k
    from fica_taxes

),

income_tax_wages_computed as (

    select
        retirement_capped.*,
        fica_wages - retirement_401k as income_tax_wages
    from retirement_capped

),

-- materialized: computed once per row, not once per bracket compared
withholding_wage_annualized as materialized (

    -- Worksheet 1A lines 1a–1i
    select
        income_tax_wages_computed.*,
        greatest(
            0,
            income_tax_wages * periods_per_year
            + w4_other_income
            - w4_deductions
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
                + (adjusted_annual_wage - brackets.over) * brackets.rate
            ) / periods_per_year
            - w4_dependents / periods_per_year
        ) + w4_extra_withholding as federal_income_tax_exact
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

fica_and_state_taxes as (

    select
        federal_withholding.*,
        {{ round_money('state_income_tax_rate * income_tax_wages') }}
            as state_income_tax_exact
    from federal_withholding

),

taxes_capped_by_wages as (

    -- withholding never takes more than the wages left after FICA
    select
        fica_and_state_taxes.*,
        least(
            state_income_tax_exact,
            greatest(
                0,
                income_tax_wages - social_security_tax - medicare_tax
                - state_disability_tax
            )
        ) as state_income_tax
    from fica_and_state_taxes

),

federal_tax_capped as (

    select
        taxes_capped_by_wages.*,
        least(
            {{ round_money('federal_income_tax_exact') }},
            greatest(
                0,
                income_tax_wages - social_security_tax - medicare_tax
                - state_disability_tax - state_income_tax
            )
        ) as federal_income_tax
    from taxes_capped_by_wages

),

net_computed as (

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
            'gross_pay - retirement_401k - section_125 - federal_income_tax'
            ~ ' - social_security_tax - medicare_tax - state_income_tax'
            ~ ' - state_disability_tax - post_tax_deductions'
        ) }} as net_pay,

        ---------- employer taxes
        {{ as_cents('social_security_tax') }}
            as employer_social_security_tax,
        {{ as_cents('employer_medicare_tax') }} as employer_medicare_tax,
        {{ as_cents('futa_tax') }} as futa_tax,

        ---------- audit
        {{ build_run_id_column() }} as run_id

    from net_computed

)

select * from final
