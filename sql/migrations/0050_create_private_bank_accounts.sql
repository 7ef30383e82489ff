-- The account a staff member's net pay is deposited to from effective_from
-- on (the latest one in effect on the pay date is used).
create table private.bank_accounts (
    tenant_id text not null,
    staff_id text not null,
    routing_number text not null check (routing_number ~ '^[0-9]{9}$'),
    account_number text not null check (account_number ~ '^[0-9]{4,17}$'),
    account_type text not null check (account_type in ('checking', 'savings')),
    effective_from date not null,
    source_file text not null,
    source_row integer not null,
    loaded_at timestamptz not null default now(),
    primary key (tenant_id, staff_id, effective_from)
)
