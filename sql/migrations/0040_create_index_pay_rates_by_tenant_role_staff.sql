-- The rate in effect for a staff member in a role (dbt macro
-- effective_hourly_rate, staging's nullif(staff_id, '')): a bitmap-OR of the
-- personal and the role-default entries instead of a scan of every rate of
-- the tenant, for each attendance row and each shift part.
create index pay_rates_by_tenant_role_staff
    on raw.pay_rates (tenant_id, role, (nullif(staff_id, '')), effective_from)
