-- Attendance rows received but not current: beaten by a newer row of the
-- same file, older than the version already loaded, or replaced later by a
-- correction. Keyed like rejected rows, so re-delivering a file adds nothing.
create table raw.attendance_superseded (
    file_sha256 text not null,
    source_row integer not null,
    source_file text not null,
    tenant_id text not null,
    event_id text not null,
    staff_id text not null,
    clock_in timestamptz not null,
    clock_out timestamptz,
    updated_at timestamptz not null,
    reason text not null check (
        reason in ('superseded_in_file', 'older_than_loaded', 'replaced_by_correction')
    ),
    superseded_at timestamptz not null default now(),
    primary key (file_sha256, source_row)
)
