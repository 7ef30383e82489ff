-- The pay calendar's clock and inputs, one row: the calendar
-- (marts.dim_pay_periods) holds every period through the one containing
-- each tenant's local date at `as_of` (null: now). A calendar run notes the
-- fingerprint of the inputs it builds from (`building_fingerprint`, with its
-- run id) and, once published, makes it `inputs_fingerprint`: a run
-- rebuilds the calendar only when that no longer matches.
create table control.pay_calendar (
    only_row boolean primary key default true check (only_row),
    as_of timestamptz,
    building_fingerprint text,
    building_run_id text,
    inputs_fingerprint text,
    published_run_id text,
    published_at timestamptz
)
