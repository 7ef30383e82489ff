create table raw.adjustments (
    tenant_id text not null,
    adjustment_id text not null,
    staff_id text not null,
    work_date date not null,
    kind text not null check (kind in ('bonus', 'discretionary_bonus')),
    amount numeric(14, 2) not null,
    source_file text not null,
    source_row integer not null,
    loaded_at timestamptz not null default now(),
    primary key (tenant_id, adjustment_id)
)
