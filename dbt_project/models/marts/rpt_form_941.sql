{#-
    Form 941 by tenant and quarter of the pay date (CONTRACT §7): every
    figure a sum of fct_payroll columns of the periods paid in the quarter
    (int_payroll_paid), the column-2 taxes on the quarter's totals, as the
    form computes them (2026 Instructions for Form 941):
      1     staff paid for the period that includes the 12th of the
            quarter's last month
      2     wages, tips and other compensation: gross − 401(k) − section 125
            (what W-2 box 1 holds)
      3     federal income tax withheld
      5a    taxable Social Security wages (tips excluded) × 12.4 %
      5b    taxable Social Security tips × 12.4 %
      5c    Medicare wages and tips × 2.9 %
      5d    wages subject to Additional Medicare × 0.9 %
      5e    5a + 5b + 5c + 5d, column 2
      6     3 + 5e
      7     fractions of cents: the employee shares withheld (with those
            owed on tips but not collected, line 9) − the employee shares of
            column 2 (half of 5a–5c, all of 5d)
      9     tips: the employee Social Security and Medicare not collected
            (negative)
      10    6 + 7 + 9
    Column 1 lines are `<line>_wages`, column 2 `<line>_tax`.
-#}
with

paid as (

    select * from {{ ref('int_payroll_paid') }}

),

tax_rates as (

    select * from {{ ref('payroll_tax_rates') }}

),

quarters as (

    select
        paid.tenant_id,
        extract(year from paid.pay_date)::integer as tax_year,
        extract(quarter from paid.pay_date)::integer as quarter,
        count(distinct paid.staff_id) filter (
            where make_date(
                extract(year from paid.pay_date)::integer,
                extract(quarter from paid.pay_date)::integer * 3,
                12
            ) between paid.period_start and paid.period_end
        ) as staff_paid_for_the_12th,
        sum(paid.gross_pay - paid.retirement_401k - paid.section_125) as wages_tips_compensation,
        sum(paid.federal_income_tax) as federal_income_tax,
        sum(paid.social_security_wages) as social_security_wages,
        sum(paid.social_security_tips) as social_security_tips,
        sum(paid.medicare_wages_and_tips) as medicare_wages_and_tips,
        sum(paid.additional_medicare_wages) as additional_medicare_wages,
        sum(paid.social_security_tax + paid.uncollected_social_security_tax)
        + sum(paid.medicare_tax + paid.uncollected_medicare_tax) as employee_shares_owed,
        sum(paid.uncollected_social_security_tax + paid.uncollected_medicare_tax)
            as uncollected_on_tips
    from paid
    group by 1, 2, 3

),

column_2 as (

    select
        quarters.*,
        {{ round_money('quarters.social_security_wages * 2 * rates.social_security_rate') }}
            as social_security_wages_tax,
        {{ round_money('quarters.social_security_tips * 2 * rates.social_security_rate') }}
            as social_security_tips_tax,
        {{ round_money('quarters.medicare_wages_and_tips * 2 * rates.medicare_rate') }}
            as medicare_tax,
        {{ round_money('quarters.additional_medicare_wages * rates.additional_medicare_rate') }}
            as additional_medicare_tax,
        {{ round_money(
            '(quarters.social_security_wages + quarters.social_security_tips)'
            ~ ' * rates.social_security_rate'
        ) }}
        + {{ round_money('quarters.medicare_wages_and_tips * rates.medicare_rate') }}
        + {{ round_money('quarters.additional_medicare_wages * rates.additional_medicare_rate') }}
            as employee_shares_of_column_2
    from quarters
    inner join tax_rates as rates
        on rates.tax_year = (
            select max(r.tax_year) from tax_rates as r
            where r.tax_year <= quarters.tax_year
        )

),

totals as (

    select
        column_2.*,
        column_2.social_security_wages_tax + column_2.social_security_tips_tax
        + column_2.medicare_tax + column_2.additional_medicare_tax as total_5e,
        column_2.employee_shares_owed - column_2.employee_shares_of_column_2 as fractions
    from column_2

),

lines as (

    select
        column_2.tenant_id,
        column_2.tax_year,
        column_2.quarter,
        line.line,
        line.amount
    from totals as column_2
    cross join lateral (
        values
        ('1', column_2.staff_paid_for_the_12th::numeric),
        ('2', column_2.wages_tips_compensation),
        ('3', column_2.federal_income_tax),
        ('5a_wages', column_2.social_security_wages),
        ('5a_tax', column_2.social_security_wages_tax),
        ('5b_wages', column_2.social_security_tips),
        ('5b_tax', column_2.social_security_tips_tax),
        ('5c_wages', column_2.medicare_wages_and_tips),
        ('5c_tax', column_2.medicare_tax),
        ('5d_wages', column_2.additional_medicare_wages),
        ('5d_tax', column_2.additional_medicare_tax),
        ('5e', column_2.total_5e),
        ('6', column_2.federal_income_tax + column_2.total_5e),
        ('7', column_2.fractions),
        ('9', -column_2.uncollected_on_tips),
        (
            '10',
            column_2.federal_income_tax + column_2.total_5e + column_2.fractions
            - column_2.uncollected_on_tips
        )
    ) as line (line, amount)

),

final as (

    select
        ---------- ids
        tenant_id,
        tax_year,
        quarter,

        ---------- the line
        line,
        {{ as_cents('amount') }} as amount

    from lines

)

select * from final
