create table raw.attendance (
    tenant_id text not null,
    event_id text not null,
    staff_id text not null,
    location_id text not null,
    role text not null,
    clock_in timestamptz not null,
    clock_out timestamptz,
    break_minutes integer not null default 0 check (break_minutes >= 0),
    updated_at timestamptz not null,
    source_file text not null,
    source_row integer not null,
    loaded_at timestamptz not null default now(),
    primary key (tenant_id, event_id)
)
