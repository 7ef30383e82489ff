alter default privileges in schema private
grant select, insert, update, delete on tables to payroll_loader
