{#-
    Form W-2 boxes per staff member and calendar year of the pay date
    (CONTRACT §7), sums of fct_payroll columns (2026 General Instructions for
    Forms W-2 and W-3):
      1    wages, tips, other compensation: gross − 401(k) − section 125
      2    federal income tax withheld
      3    Social Security wages: taxable, tips excluded, up to the wage base
      4    Social Security tax withheld
      5    Medicare wages and tips: gross − section 125
      6    Medicare tax withheld (with Additional Medicare)
      7    Social Security tips: what the wage base leaves after box 3
      12   A / B  Social Security / Medicare on tips not collected
           D      401(k) elective deferrals
           TP     cash tips reported to the employer (cash and charged)
           TT     qualified overtime compensation (the FLSA premium)
      14   CASDI  California SDI withheld
      16   state wages (as box 1: the states here follow the federal
           exclusions of 401(k) and section 125), code = state
      17   state income tax withheld, code = state
    Box 12 and 14 only where not 0.00; boxes 1–7, 16 and 17 always.
-#}
with

paid as (

    select * from {{ ref('int_payroll_paid') }}

),

staff as (

    select * from {{ ref('stg_raw__staff') }}

),

locations as (

    select * from {{ ref('stg_raw__locations') }}

),

years as (

    select
        paid.tenant_id,
        paid.staff_id,
        extract(year from paid.pay_date)::integer as tax_year,
        sum(paid.gross_pay - paid.retirement_401k - paid.section_125) as wages,
        sum(paid.federal_income_tax) as federal_income_tax,
        sum(paid.social_security_wages) as social_security_wages,
        sum(paid.social_security_tax) as social_security_tax,
        sum(paid.medicare_wages_and_tips) as medicare_wages_and_tips,
        sum(paid.medicare_tax) as medicare_tax,
        sum(paid.social_security_tips) as social_security_tips,
        sum(paid.uncollected_social_security_tax) as uncollected_social_security_tax,
        sum(paid.uncollected_medicare_tax) as uncollected_medicare_tax,
        sum(paid.retirement_401k) as retirement_401k,
        sum(paid.card_tips_pay + paid.cash_tips_reported) as tips_reported,
        sum(paid.qualified_overtime_premium) as qualified_overtime,
        sum(paid.state_disability_tax) as state_disability_tax,
        sum(paid.state_income_tax) as state_income_tax
    from paid
    group by 1, 2, 3

),

with_state as (

    select
        years.*,
        locations.jurisdiction as state
    from years
    inner join staff
        on years.tenant_id = staff.tenant_id
        and years.staff_id = staff.staff_id
    inner join locations
        on staff.tenant_id = locations.tenant_id
        and staff.home_location_id = locations.location_id

),

boxes as (

    select
        with_state.tenant_id,
        with_state.staff_id,
        with_state.tax_year,
        box.box,
        box.code,
        box.amount,
        box.is_always_shown
    from with_state
    cross join lateral (
        values
        ('1', null, with_state.wages, true),
        ('2', null, with_state.federal_income_tax, true),
        ('3', null, with_state.social_security_wages, true),
        ('4', null, with_state.social_security_tax, true),
        ('5', null, with_state.medicare_wages_and_tips, true),
        ('6', null, with_state.medicare_tax, true),
        ('7', null, with_state.social_security_tips, true),
        ('12', 'A', with_state.uncollected_social_security_tax, false),
        ('12', 'B', with_state.uncollected_medicare_tax, false),
        ('12', 'D', with_state.retirement_401k, false),
        ('12', 'TP', with_state.tips_reported, false),
        ('12', 'TT', with_state.qualified_overtime, false),
        (
            '14', 'CASDI',
            case when with_state.state = 'CA' then with_state.state_disability_tax else 0 end,
            false
        ),
        ('16', with_state.state, with_state.wages, true),
        ('17', with_state.state, with_state.state_income_tax, true)
    ) as box (box, code, amount, is_always_shown)

),

final as (

    select
        ---------- ids
        tenant_id,
        staff_id,
        tax_year,

        ---------- the box
        box,
        code,
        {{ as_cents('amount') }} as amount

    from boxes
    where is_always_shown or amount <> 0

)

select * from final
