create table raw.ytd_opening (
    tenant_id text not null,
    staff_id text not null,
    tax_year integer not null check (tax_year between 2000 and 2100),
    gross_wages numeric(14, 2) not null default 0,
    social_security_wages numeric(14, 2) not null default 0,
    medicare_wages numeric(14, 2) not null default 0,
    futa_wages numeric(14, 2) not null default 0,
    sdi_wages numeric(14, 2) not null default 0,
    source_file text not null,
    source_row integer not null,
    loaded_at timestamptz not null default now(),
    primary key (tenant_id, staff_id, tax_year)
)
