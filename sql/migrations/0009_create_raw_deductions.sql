create table raw.deductions (
    tenant_id text not null,
    staff_id text not null,
    kind text not null
        check (kind in ('retirement_401k', 'section_125', 'post_tax')),
    amount_per_period numeric(14, 2) not null check (amount_per_period >= 0),
    effective_from date not null,
    effective_to date,
    source_file text not null,
    source_row integer not null,
    loaded_at timestamptz not null default now(),
    primary key (tenant_id, staff_id, kind, effective_from),
    check (effective_to is null or effective_to >= effective_from)
)
