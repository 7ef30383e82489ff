-- A tenant's account for a journal line; lines without a row keep the
-- default of the dbt seed gl_account_defaults (CONTRACT §7).
create table raw.gl_accounts (
    tenant_id text not null,
    line text not null,
    account text not null,
    source_file text not null,
    source_row integer not null,
    loaded_at timestamptz not null default now(),
    primary key (tenant_id, line)
)
