grant usage on schema raw to payroll_loader
