-- Pipeline state that is neither landed data (raw) nor a dbt model (marts):
-- written by `payroll`, read by dbt as a source.
create schema if not exists control
