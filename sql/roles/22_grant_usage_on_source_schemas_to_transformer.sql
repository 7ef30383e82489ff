grant usage on schema raw, reference, control to payroll_transformer
