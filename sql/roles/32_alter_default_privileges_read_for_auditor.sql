alter default privileges
in schema raw, reference, control, staging, intermediate, build, marts
grant select on tables to payroll_auditor
