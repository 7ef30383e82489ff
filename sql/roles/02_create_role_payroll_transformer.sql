-- Group role of dbt and Dagster: reads raw, reference and control; writes the model schemas.
-- Roles are cluster-wide: another database of the same server may create it
-- at the same moment, so a duplicate is success, not an error.
do $$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'payroll_transformer') then
        create role payroll_transformer nologin;
    end if;
exception
    when duplicate_object or unique_violation then null;
end
$$
