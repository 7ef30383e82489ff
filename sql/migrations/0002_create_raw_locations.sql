create table raw.locations (
    tenant_id text not null,
    location_id text not null,
    name text not null,
    timezone text not null,
    jurisdiction text not null check (jurisdiction ~ '^[A-Z]{2}$'),
    source_file text not null,
    source_row integer not null,
    loaded_at timestamptz not null default now(),
    primary key (tenant_id, location_id)
)
