-- The register's sums are columns of fct_payroll (pre_tax_deductions,
-- employee_taxes: dbt_project/models/marts/fct_payroll.sql). A published
-- table created before them gets them here, filled for the rows already
-- published with the sums of their own rounded parts, so the register reads
-- every period alike. No figure of any row changes: the finalized periods'
-- update guard is set aside for this one statement only. A warehouse not
-- yet published has no table: the first publish creates it with them.
do $$
begin
    if to_regclass('marts.fct_payroll') is null then
        return;
    end if;
    alter table marts.fct_payroll
        add column if not exists pre_tax_deductions numeric(16, 2),
        add column if not exists employee_taxes numeric(16, 2);
    if exists (
        select 1 from pg_trigger
        where tgrelid = 'marts.fct_payroll'::regclass
            and tgname = 'payroll_finalized_update'
    ) then
        alter table marts.fct_payroll disable trigger payroll_finalized_update;
    end if;
    update marts.fct_payroll
    set pre_tax_deductions = retirement_401k + section_125,
        employee_taxes = federal_income_tax + social_security_tax + medicare_tax
            + state_income_tax + state_disability_tax
    where pre_tax_deductions is null or employee_taxes is null;
    if exists (
        select 1 from pg_trigger
        where tgrelid = 'marts.fct_payroll'::regclass
            and tgname = 'payroll_finalized_update'
    ) then
        alter table marts.fct_payroll enable trigger payroll_finalized_update;
    end if;
end
$$;
