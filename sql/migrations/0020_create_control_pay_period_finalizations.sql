-- A finalized pay period: its published rows never change again.
create table control.pay_period_finalizations (
    tenant_id text not null,
    period_start date not null,
    run_id text not null,
    finalized_at timestamptz not null default now(),
    primary key (tenant_id, period_start)
)
