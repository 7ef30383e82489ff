-- Bank accounts: only the loader (and the pipeline's owner) use this schema.
grant usage on schema private to payroll_loader
