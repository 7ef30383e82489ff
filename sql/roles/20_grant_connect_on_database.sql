-- The database's name is only known here; transformer may create the
-- per-run wap_* schemas (and dbt's schemas when it runs under its own login).
do $$
begin
    execute format(
        'grant connect on database %I to payroll_loader, payroll_transformer, '
        'payroll_analyst, payroll_auditor',
        current_database()
    );
    execute format('grant create on database %I to payroll_transformer', current_database());
end
$$
