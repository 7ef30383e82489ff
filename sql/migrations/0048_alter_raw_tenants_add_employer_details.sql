-- CONTRACT §7: the employer on earnings statements and tax forms. Optional
-- in tenants.csv: a tenant without them gets no statement (the command says
-- which column is missing).
alter table raw.tenants
add column legal_name text,
add column address text,
add column ein text check (ein ~ '^[0-9]{2}-[0-9]{7}$')
