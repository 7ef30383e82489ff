-- The pay periods the running build computes (one Dagster run, one dbt
-- build, any number of periods). Written by the run under the warehouse
-- writer lock just before dbt starts, emptied when the build is staged; dbt
-- reads it when it compiles each model, so per-run parameters never change
-- what dbt parses. Empty: every open period (a full rebuild by hand).
create table control.pay_period_build (
    tenant_id text not null check (tenant_id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    period_start date not null,
    run_id text not null check (run_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    primary key (tenant_id, period_start)
)
