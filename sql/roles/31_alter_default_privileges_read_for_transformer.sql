-- SELECT only: "on tables" covers views too, and a write through an
-- auto-updatable view would run with its owner's rights. Write privileges on
-- the model schemas' tables are granted table by table (lib/roles.py).
alter default privileges
in schema raw, reference, control, staging, intermediate, build, marts
grant select on tables to payroll_transformer
