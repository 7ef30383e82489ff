{#- The fct_payroll columns a correction to a finalized period changes
    (fct_payroll_adjustments' delta_<column>), and the ones of them that
    gross pay sums: one list for the adjustments and the period that pays
    them. Salary is not corrected (it does not depend on punches). -#}
{% macro corrected_hour_columns() -%}
    {{ return(['hours_worked', 'overtime_hours', 'double_time_hours']) }}
{%- endmacro %}

{% macro corrected_gross_pay_columns() -%}
    {{ return([
        'straight_time_pay', 'overtime_premium_pay', 'bonus_pay',
        'minimum_wage_makeup_pay', 'premium_pay', 'card_tips_pay',
        'cash_tips_reported',
    ]) }}
{%- endmacro %}

{% macro corrected_money_columns() -%}
    {{ return(corrected_gross_pay_columns() + ['tip_credit', 'qualified_overtime_premium']) }}
{%- endmacro %}

{% macro corrected_pay_columns() -%}
    {{ return(corrected_hour_columns() + corrected_money_columns()) }}
{%- endmacro %}
