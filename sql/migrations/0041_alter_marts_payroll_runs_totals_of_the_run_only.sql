-- A run's row holds the totals it published itself; a run that published
-- nothing (failed, canceled) has none, not zeros or an earlier run's.
alter table marts.payroll_runs alter column staff_paid drop not null;
alter table marts.payroll_runs alter column staff_paid drop default;
alter table marts.payroll_runs alter column total_gross_pay drop not null;
alter table marts.payroll_runs alter column total_gross_pay drop default;
alter table marts.payroll_runs alter column total_net_pay drop not null;
alter table marts.payroll_runs alter column total_net_pay drop default;
