{#-
    The pre-tax deductions elected on each period's last day, rounded once,
    and the wage base they leave for FICA, FUTA and SDI: section 125 comes
    off first and takes at most the cash paid; the 401(k) is capped later
    (int_payroll_income_tax_wages), once the FICA taxes on what is left are
    known.
-#}
with

earnings as (

    select * from {{ ref('int_payroll_earnings_assembled') }}

),

deductions as (

    select * from {{ ref('stg_raw__deductions') }}

),

earning_periods as (

    select distinct
        tenant_id,
        period_start,
        period_end
    from earnings

),

-- per period, not per earnings row: a year of rows joined back to itself
deductions_in_effect_on_period_end as (

    select
        earning_periods.tenant_id,
        deductions.staff_id,
        earning_periods.period_start,
        coalesce(sum(deductions.amount_per_period) filter (
            where deductions.kind = 'retirement_401k'
        ), 0) as retirement_401k,
        coalesce(sum(deductions.amount_per_period) filter (
            where deductions.kind = 'section_125'
        ), 0) as section_125,
        coalesce(sum(deductions.amount_per_period) filter (
            where deductions.kind = 'post_tax'
        ), 0) as post_tax_deductions
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

    -- withholding takes only the cash paid: gross − the cash tips the
    -- employee already holds (CONTRACT §6). Section 125 first (it lowers
    -- the FICA wages); the 401(k) is capped below, once the FICA taxes on
    -- what is left are known
    select
        elections_rounded.*,
        gross_pay - cash_tips_reported as cash_to_withhold_from,
        least(section_125_elected, greatest(0, gross_pay - cash_tips_reported))
            as section_125,
        -- Social Security, Medicare, FUTA and SDI wages alike (tips included)
        gross_pay
        - least(section_125_elected, greatest(0, gross_pay - cash_tips_reported))
            as fica_wages,
        -- the same as if the period had no tips, never below 0
        greatest(
            0,
            gross_pay - card_tips_pay - cash_tips_reported
            - least(section_125_elected, greatest(0, gross_pay - cash_tips_reported))
        ) as fica_wages_other_than_tips
    from elections_rounded

)

select * from wages_with_bases
