"""CONTRACT §3 input files and their columns, typed out for the tests so that
a test fails if the product (ingest models, demo generator) drifts from the
contract. Shared by every test that writes or checks input CSV files."""

CONTRACT_COLUMNS: dict[str, list[str]] = {
    "tenants": [
        "tenant_id",
        "name",
        "pay_frequency",
        "period_anchor",
        "workweek_start",
        "pay_date_lag_days",
    ],
    "locations": ["tenant_id", "location_id", "name", "timezone", "jurisdiction"],
    "staff": [
        "tenant_id",
        "staff_id",
        "full_name",
        "home_location_id",
        "pay_type",
        "flsa_exempt",
        "annual_salary",
        "filing_status",
        "w4_step2",
        "w4_dependents",
        "w4_other_income",
        "w4_deductions",
        "w4_extra_withholding",
        "hired_on",
        "terminated_on",
    ],
    "pay_rates": [
        "tenant_id",
        "staff_id",
        "role",
        "hourly_rate",
        "effective_from",
        "effective_to",
    ],
    "attendance": [
        "tenant_id",
        "event_id",
        "staff_id",
        "location_id",
        "role",
        "clock_in",
        "clock_out",
        "break_minutes",
        "updated_at",
    ],
    "adjustments": ["tenant_id", "adjustment_id", "staff_id", "work_date", "kind", "amount"],
    "deductions": [
        "tenant_id",
        "staff_id",
        "kind",
        "amount_per_period",
        "effective_from",
        "effective_to",
    ],
    "ytd_opening": [
        "tenant_id",
        "staff_id",
        "tax_year",
        "gross_wages",
        "social_security_wages",
        "medicare_wages",
        "futa_wages",
        "sdi_wages",
    ],
}

# CONTRACT §6 Inputs: the optional columns the restaurant rules add to three
# §3 files, after those of CONTRACT_COLUMNS (the demo generator writes both).
RESTAURANT_COLUMNS: dict[str, list[str]] = {
    "locations": ["locality"],
    "pay_rates": ["tip_credit"],
    "attendance": ["cash_tips", "card_tips"],
}

# Every input column, §3 and §6, per file.
ALL_INPUT_COLUMNS: dict[str, list[str]] = {
    kind: [*columns, *RESTAURANT_COLUMNS.get(kind, [])]
    for kind, columns in CONTRACT_COLUMNS.items()
}

# CONTRACT §7 Inputs: the employer's details on tenants.csv and the payday
# files (gl_accounts.csv is optional and not written by the demo).
PAYDAY_COLUMNS: dict[str, list[str]] = {
    "tenants": ["legal_name", "address", "ein"],
    "bank_accounts": [
        "tenant_id",
        "staff_id",
        "routing_number",
        "account_number",
        "account_type",
        "effective_from",
    ],
    "ach_settings": [
        "tenant_id",
        "odfi_routing_number",
        "immediate_origin",
        "immediate_origin_name",
        "immediate_destination_name",
        "company_id",
        "company_name",
    ],
}
GL_ACCOUNTS_COLUMNS = ["tenant_id", "line", "account"]

# What the demo writes: every §3 and §6 column, and the payday inputs of §7.
DEMO_INPUT_COLUMNS: dict[str, list[str]] = {
    kind: [*ALL_INPUT_COLUMNS.get(kind, []), *PAYDAY_COLUMNS.get(kind, [])]
    for kind in [*ALL_INPUT_COLUMNS, "bank_accounts", "ach_settings"]
}
