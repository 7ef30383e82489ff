-- CONTRACT §6 adds columns to the published pay marts. A table published
-- before them gets them here, 0 for the rows already published (no rule of
-- §6 applied to them): adding a column with a default writes no row, so
-- the finalized periods' update guard is not involved. A warehouse not yet
-- published has no tables: the first publish creates them with the columns.
do $$
begin
    if to_regclass('marts.fct_payroll') is not null then
        alter table marts.fct_payroll
            add column if not exists minimum_wage_makeup_pay numeric(16, 2) default 0,
            add column if not exists premium_pay numeric(16, 2) default 0,
            add column if not exists card_tips_pay numeric(16, 2) default 0,
            add column if not exists cash_tips_reported numeric(16, 2) default 0,
            add column if not exists tip_credit numeric(16, 2) default 0,
            add column if not exists qualified_overtime_premium numeric(16, 2) default 0,
            add column if not exists uncollected_social_security_tax numeric(16, 2) default 0,
            add column if not exists uncollected_medicare_tax numeric(16, 2) default 0;
    end if;
    if to_regclass('marts.fct_workweek_hours') is not null then
        alter table marts.fct_workweek_hours
            add column if not exists tips numeric default 0,
            add column if not exists tip_credit numeric default 0,
            add column if not exists minimum_wage_makeup_pay numeric default 0,
            add column if not exists qualified_overtime_premium numeric default 0;
    end if;
    if to_regclass('marts.fct_payroll_adjustments') is not null then
        alter table marts.fct_payroll_adjustments
            add column if not exists delta_minimum_wage_makeup_pay numeric(14, 2) default 0,
            add column if not exists delta_premium_pay numeric(14, 2) default 0,
            add column if not exists delta_card_tips_pay numeric(14, 2) default 0,
            add column if not exists delta_cash_tips_reported numeric(14, 2) default 0,
            add column if not exists delta_tip_credit numeric(14, 2) default 0,
            add column if not exists delta_qualified_overtime_premium numeric(14, 2) default 0;
    end if;
end
$$;
