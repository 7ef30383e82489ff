{#-
    Form 940 by tenant and calendar year of the pay date (CONTRACT §7),
    sums of fct_payroll columns (2026 Instructions for Form 940):
      3   total payments to all employees: gross pay
      4   payments exempt from FUTA: section 125 (cafeteria plan)
      5   payments to each employee above the $7,000 FUTA wage base
      6   4 + 5
      7   total taxable FUTA wages: 3 − 6 (Σ fct_payroll.futa_wages)
      8   FUTA tax before adjustments: 7 × 0.6 %
-#}
with

paid as (

    select * from {{ ref('int_payroll_paid') }}

),

tax_rates as (

    select * from {{ ref('payroll_tax_rates') }}

),

years as (

    select
        tenant_id,
        extract(year from pay_date)::integer as tax_year,
        sum(gross_pay) as total_payments,
        sum(section_125) as exempt_payments,
        sum(gross_pay - section_125 - futa_wages) as payments_over_wage_base,
        sum(futa_wages) as futa_wages
    from paid
    group by 1, 2

),

lines as (

    select
        years.tenant_id,
        years.tax_year,
        line.line,
        line.amount
    from years
    inner join tax_rates as rates
        on rates.tax_year = (
            select max(r.tax_year) from tax_rates as r
            where r.tax_year <= years.tax_year
        )
    cross join lateral (
        values
        ('3', years.total_payments),
        ('4', years.exempt_payments),
        ('5', years.payments_over_wage_base),
        ('6', years.exempt_payments + years.payments_over_wage_base),
        ('7', years.futa_wages),
        ('8', {{ round_money('years.futa_wages * rates.futa_rate') }})
    ) as line (line, amount)

),

final as (

    select
        ---------- ids
        tenant_id,
        tax_year,

        ---------- the line
        line,
        {{ as_cents('amount') }} as amount

    from lines

)

select * from final
