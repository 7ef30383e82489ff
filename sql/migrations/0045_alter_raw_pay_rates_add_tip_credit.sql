-- CONTRACT §6: the rate is a tipped cash wage and the employer takes the tip
-- credit for hours at it. Optional in pay_rates.csv, default false: the rates
-- loaded before take none.
alter table raw.pay_rates add column tip_credit boolean not null default false
