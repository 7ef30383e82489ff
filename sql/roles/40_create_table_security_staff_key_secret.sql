-- The key of staff_key, the analysts' pseudonym of a staff member. Generated
-- in the database, once; never leaves it except in a backup. Readable by the
-- owner of the pseudonymised views and by auditors only.
create table if not exists security.staff_key_secret (
    singleton boolean primary key default true check (singleton),
    secret text not null check (length(secret) >= 32),
    created_at timestamptz not null default now()
)
