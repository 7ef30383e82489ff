grant usage on schema marts, security to payroll_pseudonymizer
