-- A tenant's direct-deposit originator: the NACHA file header and batch
-- header fields (CONTRACT §7).
create table raw.ach_settings (
    tenant_id text primary key,
    odfi_routing_number text not null check (odfi_routing_number ~ '^[0-9]{9}$'),
    immediate_origin text not null check (length(immediate_origin) = 10),
    immediate_origin_name text not null check (length(immediate_origin_name) <= 23),
    immediate_destination_name text not null
    check (length(immediate_destination_name) <= 23),
    company_id text not null check (length(company_id) = 10),
    company_name text not null check (length(company_name) <= 16),
    source_file text not null,
    source_row integer not null,
    loaded_at timestamptz not null default now()
)
