"""The trivial floor: one Dagster run of one asset that runs one one-line dbt
model, launched the way ``payroll run`` launches its runs."""
