"""Names of Dagster objects that more than one layer refers to: the jobs the
CLI launches, the partitions ``lib`` reads, the owner of every asset."""

CALENDAR_JOB = "pay_calendar_job"
PAY_PERIOD_JOB = "pay_period_job"
PAY_PERIOD_PARTITIONS = "pay_periods"
OWNER = "team:payroll"
