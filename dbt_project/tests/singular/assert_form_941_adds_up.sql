-- Form 941's totals follow from its lines: 5e = the column-2 taxes,
-- 6 = 3 + 5e, 10 = 6 + 7 + 9.
{{ config(meta={'dagster': {'ref': {'name': 'rpt_form_941'}}}) }}
with

quarters as (

    select
        tenant_id,
        tax_year,
        quarter,
    {%- for line in ['3', '5a_tax', '5b_tax', '5c_tax', '5d_tax', '5e', '6', '7', '9', '10'] %}
    sum(amount) filter (where line = '{{ line }}') as line_{{ line }}{{ ',' if not loop.last }}
    {%- endfor %}
    from {{ ref('rpt_form_941') }}
    group by 1, 2, 3

)

select *
from quarters
where line_5e <> line_5a_tax + line_5b_tax + line_5c_tax + line_5d_tax
    or line_6 <> line_3 + line_5e
    or line_10 <> line_6 + line_7 + line_9
