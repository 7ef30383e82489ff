-- A view's owner needs CREATE on its schema (ALTER VIEW ... OWNER TO).
grant create on schema security to payroll_pseudonymizer
