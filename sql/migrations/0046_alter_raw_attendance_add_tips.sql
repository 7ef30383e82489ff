-- CONTRACT §6: the tips of a shift, cash (received and reported) and card
-- (paid out through payroll); optional in attendance.csv, default 0, never
-- negative. A constant default adds the columns without rewriting the table
-- (the checks read it once).
alter table raw.attendance
add column cash_tips numeric(14, 2) not null default 0 check (cash_tips >= 0),
add column card_tips numeric(14, 2) not null default 0 check (card_tips >= 0)
