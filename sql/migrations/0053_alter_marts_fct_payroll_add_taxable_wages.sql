-- CONTRACT §7: the wages each tax applied to are columns of fct_payroll (the
-- tax forms sum them). A table published before them gets them here, filled
-- for the rows already published from the same rule as the model
-- (int_payroll_income_tax_wages): year to date by pay date, with the
-- openings of ytd_opening.csv, under the year's wage bases. No figure of any
-- row changes: the finalized periods' update guard is set aside for this one
-- statement only. A warehouse not yet published has no table: the first
-- publish creates it with them.
do $$
begin
    -- a published table was built with the rates seed beside it
    if to_regclass('marts.fct_payroll') is null
        or to_regclass('reference.payroll_tax_rates') is null then
        return;
    end if;
    alter table marts.fct_payroll
        add column if not exists social_security_wages numeric(16, 2),
        add column if not exists social_security_tips numeric(16, 2),
        add column if not exists medicare_wages_and_tips numeric(16, 2),
        add column if not exists additional_medicare_wages numeric(16, 2),
        add column if not exists futa_wages numeric(16, 2);
    if exists (
        select 1 from pg_trigger
        where tgrelid = 'marts.fct_payroll'::regclass
            and tgname = 'payroll_finalized_update'
    ) then
        alter table marts.fct_payroll disable trigger payroll_finalized_update;
    end if;
    with paid as (
        select
            p.tenant_id,
            p.staff_id,
            p.period_start,
            p.gross_pay - p.section_125 as fica_wages,
            greatest(
                0, p.gross_pay - p.section_125 - p.card_tips_pay - p.cash_tips_reported
            ) as other_wages,
            coalesce(o.social_security_wages, 0) + coalesce(sum(p.gross_pay - p.section_125) over (
                partition by p.tenant_id, p.staff_id, extract(year from p.pay_date)
                order by p.pay_date, p.period_start
                rows between unbounded preceding and 1 preceding
            ), 0) as fica_wages_before,
            coalesce(o.medicare_wages, 0) - coalesce(o.social_security_wages, 0)
                as medicare_opening_extra,
            coalesce(o.futa_wages, 0) - coalesce(o.social_security_wages, 0)
                as futa_opening_extra,
            r.social_security_wage_base as ss_base,
            r.additional_medicare_threshold as medicare_threshold,
            r.futa_wage_base as futa_base
        from marts.fct_payroll as p
        left join raw.ytd_opening as o
            on p.tenant_id = o.tenant_id
            and p.staff_id = o.staff_id
            and extract(year from p.pay_date) = o.tax_year
        inner join reference.payroll_tax_rates as r
            on r.tax_year = (
                select max(y.tax_year) from reference.payroll_tax_rates as y
                where y.tax_year <= extract(year from p.pay_date)
            )
    )
    update marts.fct_payroll as f
    set medicare_wages_and_tips = paid.fica_wages,
        social_security_wages = least(
            paid.other_wages, greatest(0, paid.ss_base - paid.fica_wages_before)
        ),
        social_security_tips = least(paid.fica_wages, greatest(0, paid.ss_base - paid.fica_wages_before))
            - least(paid.other_wages, greatest(0, paid.ss_base - paid.fica_wages_before)),
        additional_medicare_wages = greatest(
            0, paid.fica_wages_before + paid.medicare_opening_extra + paid.fica_wages - paid.medicare_threshold
        ) - greatest(0, paid.fica_wages_before + paid.medicare_opening_extra - paid.medicare_threshold),
        futa_wages = least(
            paid.fica_wages,
            greatest(0, paid.futa_base - paid.fica_wages_before - paid.futa_opening_extra)
        )
    from paid
    where f.tenant_id = paid.tenant_id
        and f.staff_id = paid.staff_id
        and f.period_start = paid.period_start
        and f.social_security_wages is null;
    if exists (
        select 1 from pg_trigger
        where tgrelid = 'marts.fct_payroll'::regclass
            and tgname = 'payroll_finalized_update'
    ) then
        alter table marts.fct_payroll enable trigger payroll_finalized_update;
    end if;
end
$$;
