-- Tenant access functions, the staff-key secret and the pseudonymised views.
create schema if not exists security
