-- Group role of ingest: writes the landing schema raw, nothing else.
-- Roles are cluster-wide: another database of the same server may create it
-- at the same moment, so a duplicate is success, not an error.
do $$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'payroll_loader') then
        create role payroll_loader nologin;
    end if;
exception
    when duplicate_object or unique_violation then null;
end
$$
