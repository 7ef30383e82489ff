grant usage on schema raw, reference, control, staging, intermediate, build, marts, security
to payroll_auditor
