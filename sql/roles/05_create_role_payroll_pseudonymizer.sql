-- Owner of the pseudonymised views (never a login): reads the columns they need.
-- Roles are cluster-wide: another database of the same server may create it
-- at the same moment, so a duplicate is success, not an error.
do $$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'payroll_pseudonymizer') then
        create role payroll_pseudonymizer nologin;
    end if;
exception
    when duplicate_object or unique_violation then null;
end
$$
