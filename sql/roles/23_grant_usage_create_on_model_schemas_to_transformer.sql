grant usage, create on schema staging, intermediate, build, marts to payroll_transformer
