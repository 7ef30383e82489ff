create table raw.staff (
    tenant_id text not null,
    staff_id text not null,
    full_name text not null,
    home_location_id text not null,
    pay_type text not null check (pay_type in ('hourly', 'salaried')),
    flsa_exempt boolean not null default false,
    annual_salary numeric(14, 2) check (annual_salary >= 0),
    filing_status text not null default 'single'
        check (filing_status in ('single', 'married_jointly', 'head_of_household')),
    w4_step2 boolean not null default false,
    w4_dependents numeric(14, 2) not null default 0 check (w4_dependents >= 0),
    w4_other_income numeric(14, 2) not null default 0 check (w4_other_income >= 0),
    w4_deductions numeric(14, 2) not null default 0 check (w4_deductions >= 0),
    w4_extra_withholding numeric(14, 2) not null default 0
        check (w4_extra_withholding >= 0),
    hired_on date,
    terminated_on date,
    source_file text not null,
    source_row integer not null,
    loaded_at timestamptz not null default now(),
    primary key (tenant_id, staff_id),
    check ((pay_type = 'salaried') = (annual_salary is not null)),
    check (terminated_on is null or hired_on is null or terminated_on >= hired_on)
)
