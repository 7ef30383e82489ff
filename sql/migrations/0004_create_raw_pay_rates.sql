-- staff_id '' is the role's default rate for the tenant (a primary key
-- column cannot be null); staging turns it back into null.
create table raw.pay_rates (
    tenant_id text not null,
    staff_id text not null default '',
    role text not null,
    hourly_rate numeric(12, 4) not null check (hourly_rate >= 0),
    effective_from date not null,
    effective_to date,
    source_file text not null,
    source_row integer not null,
    loaded_at timestamptz not null default now(),
    primary key (tenant_id, staff_id, role, effective_from),
    check (effective_to is null or effective_to >= effective_from)
)
