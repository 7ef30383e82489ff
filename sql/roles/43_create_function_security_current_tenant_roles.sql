-- The tenant roles the current user belongs to (directly or through other
-- roles). Not security definer: current_user is the one querying, also when
-- a view's owner is the one whose policy is checked.
create or replace function security.current_tenant_roles()
returns setof name
language sql
stable
parallel safe
as $$
    select r.rolname
    from pg_catalog.pg_roles as r
    where r.rolname like 'payroll\_tenant\_%'
        and pg_catalog.pg_has_role(current_user, r.oid, 'member')
$$
