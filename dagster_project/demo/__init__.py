"""A seeded, realistic restaurant group for `payroll demo` and the tests."""
