-- Group role of analysts: the non-personal marts and the pseudonymised views,
-- rows of their tenants only.
-- Roles are cluster-wide: another database of the same server may create it
-- at the same moment, so a duplicate is success, not an error.
do $$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'payroll_analyst') then
        create role payroll_analyst nologin;
    end if;
exception
    when duplicate_object or unique_violation then null;
end
$$
