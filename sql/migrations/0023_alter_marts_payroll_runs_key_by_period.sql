-- A run computes a range of pay periods: one audit row per run and period.
alter table marts.payroll_runs drop constraint payroll_runs_pkey;
alter table marts.payroll_runs add primary key (run_id, tenant_id, period_start)
