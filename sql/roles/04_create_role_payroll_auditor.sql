-- Group role of auditors: reads every pipeline schema, writes nothing.
-- Roles are cluster-wide: another database of the same server may create it
-- at the same moment, so a duplicate is success, not an error.
do $$
begin
    if not exists (select from pg_catalog.pg_roles where rolname = 'payroll_auditor') then
        create role payroll_auditor nologin;
    end if;
exception
    when duplicate_object or unique_violation then null;
end
$$
