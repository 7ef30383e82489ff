-- Each statement of the run adds up: earnings + corrections = gross, gross
-- − cash tips received − deductions − taxes = net, and net = fct_payroll.
{{ config(meta={'dagster': {'ref': {'name': 'fct_pay_stub_lines'}}}) }}
with

statements as (

    select
        tenant_id,
        staff_id,
        period_start,
        sum(amount) filter (where line_kind in ('earning', 'adjustment')) as earned,
        sum(amount) filter (where line_kind = 'gross') as gross,
        sum(amount) filter (where line_kind in ('tips_received', 'deduction', 'tax'))
            as withheld,
        sum(amount) filter (where line_kind = 'net') as net
    from {{ ref('fct_pay_stub_lines') }} as stub_lines
    where {{ in_selected_period('stub_lines') }}
    group by 1, 2, 3

)

select statements.*
from statements
inner join {{ ref('fct_payroll') }} as payroll
    on statements.tenant_id = payroll.tenant_id
    and statements.staff_id = payroll.staff_id
    and statements.period_start = payroll.period_start
where coalesce(statements.earned, 0) <> statements.gross
    or statements.gross - coalesce(statements.withheld, 0) <> statements.net
    or statements.net <> payroll.net_pay
    or statements.gross <> payroll.gross_pay
