create table raw.ingested_files (
    file_sha256 text not null,
    source_file text not null,
    file_kind text not null,
    rows_received integer not null,
    rows_loaded integer not null,
    rows_replaced integer not null,
    rows_unchanged integer not null,
    rows_rejected integer not null,
    ingested_at timestamptz not null default now(),
    primary key (file_sha256, ingested_at)
)
