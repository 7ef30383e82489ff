"""The columns of ``marts.fct_payroll`` (CONTRACT §5) that code outside dbt
reads: the register and the Great Expectations suite."""

HOUR_COLUMNS = ("hours_worked", "overtime_hours", "double_time_hours")
EARNING_COLUMNS = (
    "salary_pay",
    "straight_time_pay",
    "overtime_premium_pay",
    "bonus_pay",
    # CONTRACT §6
    "minimum_wage_makeup_pay",
    "premium_pay",
    "card_tips_pay",
    "cash_tips_reported",
)
EMPLOYEE_TAX_COLUMNS = (
    "federal_income_tax",
    "social_security_tax",
    "medicare_tax",
    "state_income_tax",
    "state_disability_tax",
)
PRE_TAX_COLUMNS = ("retirement_401k", "section_125")
EMPLOYER_TAX_COLUMNS = ("employer_social_security_tax", "employer_medicare_tax", "futa_tax")
# CONTRACT §6, informational: not in gross or net
INFORMATIONAL_COLUMNS = (
    "tip_credit",
    "qualified_overtime_premium",
    "uncollected_social_security_tax",
    "uncollected_medicare_tax",
)
# columns of the mart that are sums of others, to the cent (computed in
# fct_payroll.sql; the suite checks each identity)
REGISTER_SUMS = {
    "pre_tax_deductions": PRE_TAX_COLUMNS,
    "employee_taxes": EMPLOYEE_TAX_COLUMNS,
}
MONEY_COLUMNS = (
    *EARNING_COLUMNS,
    "gross_pay",
    *PRE_TAX_COLUMNS,
    "pre_tax_deductions",
    *EMPLOYEE_TAX_COLUMNS,
    "employee_taxes",
    "post_tax_deductions",
    "net_pay",
    *EMPLOYER_TAX_COLUMNS,
    *INFORMATIONAL_COLUMNS,
)
