-- One row per pay-period run, copied from Dagster's run storage (the record
-- of truth) with the numbers an auditor asks for. Written by the pipeline's
-- run recorder, never by hand.
create table marts.payroll_runs (
    run_id text primary key,
    tenant_id text not null,
    period_start date not null,
    status text not null,
    started_at timestamptz,
    ended_at timestamptz,
    rows_in integer not null default 0,
    rows_quarantined integer not null default 0,
    staff_paid integer not null default 0,
    total_gross_pay numeric(16, 2) not null default 0,
    total_net_pay numeric(16, 2) not null default 0,
    check_results jsonb not null default '{}'::jsonb,
    recorded_at timestamptz not null default now()
)
