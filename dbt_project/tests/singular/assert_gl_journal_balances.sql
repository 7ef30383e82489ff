-- Per location and period of the run, the journal's debits equal its
-- credits to the cent, and every line is on one side only.
{{ config(meta={'dagster': {'ref': {'name': 'fct_gl_journal'}}}) }}
select
    tenant_id,
    period_start,
    location_id
from {{ ref('fct_gl_journal') }} as journal
where {{ in_selected_period('journal') }}
group by 1, 2, 3
having sum(debit) <> sum(credit)
    or bool_or(debit <> 0 and credit <> 0)
    or bool_or(debit < 0 or credit < 0)
