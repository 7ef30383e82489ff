-- Default privileges are those of the role running this setup (the pipeline's
-- owner): tables it creates later carry these grants from birth.
alter default privileges in schema raw
grant select, insert, update, delete on tables to payroll_loader
