{#-
    Year to date = ytd_opening + every earlier period of the same calendar
    year (by pay date): the published periods outside this build
    (stg_published__fct_payroll: what was paid, never the rows of a build
    that failed its audit) and the earlier ones of this build, in one window
    over the range, so a year of periods is correct in one statement.
-#}
with

wages_with_bases as (

    select * from {{ ref('int_payroll_pretax_bases') }}

),

ytd_openings as (

    select * from {{ ref('stg_raw__ytd_openings') }}

),

published_earlier_periods as (

    -- the periods of this build come from it
    select
        published.tenant_id,
        published.staff_id,
        published.period_start,
        published.pay_date,
        published.gross_pay - published.section_125 as fica_wages
    from {{ ref('stg_published__fct_payroll') }} as published
    where {{ in_selected_tenant('published') }}
        and not ({{ in_selected_period('published') }})

),

fica_wage_history as (

    select
        tenant_id,
        staff_id,
        period_start,
        pay_date,
        fica_wages
    from wages_with_bases
    union all
    select
        tenant_id,
        staff_id,
        period_start,
        pay_date,
        fica_wages
    from published_earlier_periods

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
        + fica_before.fica_wages_earlier_periods as social_security_wages_ytd,
        coalesce(ytd_openings.medicare_wages, 0)
        + fica_before.fica_wages_earlier_periods as medicare_wages_ytd,
        coalesce(ytd_openings.futa_wages, 0)
        + fica_before.fica_wages_earlier_periods as futa_wages_ytd
    from wages_with_bases
    inner join fica_wages_before_period as fica_before
        on wages_with_bases.tenant_id = fica_before.tenant_id
        and wages_with_bases.staff_id = fica_before.staff_id
        and wages_with_bases.period_start = fica_before.period_start
    left join ytd_openings
        on wages_with_bases.tenant_id = ytd_openings.tenant_id
        and wages_with_bases.staff_id = ytd_openings.staff_id
        and wages_with_bases.tax_year = ytd_openings.tax_year

)

select * from year_to_date
