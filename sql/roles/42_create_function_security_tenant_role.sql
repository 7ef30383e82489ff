-- The group role whose members may read a tenant's rows. Tenant ids are
-- checked at ingest (letters, digits, '_', '.', '-', at most 64); a role name
-- has at most 63 bytes, so a long id keeps a prefix and an md5 suffix.
create or replace function security.tenant_role(tenant_id text)
returns name
language sql
immutable
strict
parallel safe
as $$
    select (
        case
            when octet_length(tenant_id) <= 48 then 'payroll_tenant_' || tenant_id
            else 'payroll_tenant_' || left(tenant_id, 31) || '_' || left(md5(tenant_id), 16)
        end
    )::name
$$
