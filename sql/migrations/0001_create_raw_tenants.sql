create table raw.tenants (
    tenant_id text primary key,
    name text not null,
    pay_frequency text not null
        check (pay_frequency in ('weekly', 'biweekly', 'semimonthly', 'monthly')),
    period_anchor date,
    workweek_start text not null default 'sunday'
        check (
            workweek_start in (
                'monday', 'tuesday', 'wednesday', 'thursday',
                'friday', 'saturday', 'sunday'
            )
        ),
    pay_date_lag_days integer not null default 5 check (pay_date_lag_days >= 0),
    source_file text not null,
    source_row integer not null,
    loaded_at timestamptz not null default now(),
    check (pay_frequency in ('semimonthly', 'monthly') or period_anchor is not null)
)
