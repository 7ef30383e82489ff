-- True when `value` is an ISO 8601 timestamp with an offset (or Z) that
-- PostgreSQL can cast without error. Checks run in order (case), so a value
-- that fails the pattern never reaches a cast: set-based ingest must not
-- raise on one bad row.
create function raw.is_iso_timestamptz(value text)
returns boolean
language sql
immutable
strict
parallel safe
as $$
    select case
        when value !~ '^(19|20|21)[0-9]{2}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$'
            then false
        when substr(value, 6, 2)::integer not between 1 and 12 then false
        when substr(value, 9, 2)::integer not between 1 and extract(
            day from make_date(
                substr(value, 1, 4)::integer, substr(value, 6, 2)::integer, 1
            ) + interval '1 month - 1 day'
        ) then false
        when substr(value, 12, 2)::integer > 23 then false
        when substr(value, 15, 2)::integer > 59 then false
        when substr(value, 17, 1) = ':' and substr(value, 18, 2)::integer > 59
            then false
        when value ~ '[+-][0-9]{2}(:?[0-9]{2})?$'
            and substring(value from '[+-]([0-9]{2})(:?[0-9]{2})?$')::integer > 14
            then false
        else true
    end
$$
