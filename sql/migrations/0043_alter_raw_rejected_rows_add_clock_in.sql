-- The clock-in of a refused attendance row, when that value itself was a
-- valid timestamp (another field was bad); null otherwise and for the other
-- files. It dates the row: a pay-period run counts the refused rows of its
-- attendance window in marts.payroll_runs.rows_quarantined.
alter table raw.rejected_rows add column clock_in timestamptz
