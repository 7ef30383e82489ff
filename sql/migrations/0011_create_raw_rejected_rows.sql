-- One row per input row refused at ingest. Keyed by the file's content hash so
-- that loading the same file again adds nothing.
create table raw.rejected_rows (
    file_sha256 text not null,
    source_row integer not null,
    source_file text not null,
    file_kind text not null,
    tenant_id text,
    record_id text,
    staff_id text,
    field text not null,
    reason text not null,
    rejected_at timestamptz not null default now(),
    primary key (file_sha256, source_row)
)
