"""The row models and the registry, without a database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from dagster_project.ingest.schemas import (
    FILE_KINDS,
    AttendanceRow,
    PayRateRow,
    StaffRow,
    TenantRow,
)

STAFF = {
    "tenant_id": "acme",
    "staff_id": "S1",
    "full_name": "Ada Example",
    "home_location_id": "AUS",
    "pay_type": "hourly",
}
ATTENDANCE = {
    "tenant_id": "acme",
    "event_id": "E1",
    "staff_id": "S1",
    "location_id": "AUS",
    "role": "cook",
    "clock_in": "2026-03-02T09:00:00-06:00",
    "updated_at": "2026-03-02T23:00:00Z",
}


def _first_error(model, data) -> tuple[str, str]:
    with pytest.raises(ValidationError) as error:
        model.model_validate(data)
    detail = error.value.errors()[0]
    return ".".join(map(str, detail["loc"])), detail["msg"]


def test_file_kinds_registry_in_load_order():
    assert list(FILE_KINDS) == [
        "tenants",
        "locations",
        "staff",
        "pay_rates",
        "deductions",
        "adjustments",
        "ytd_opening",
        "attendance",
        "bank_accounts",
        "ach_settings",
        "gl_accounts",
    ]
    assert FILE_KINDS["bank_accounts"].table == "private.bank_accounts"
    assert FILE_KINDS["attendance"].key == ("tenant_id", "event_id")
    assert FILE_KINDS["pay_rates"].key == ("tenant_id", "staff_id", "role", "effective_from")


@pytest.mark.parametrize(
    "kind, required",
    [
        ("tenants", ("tenant_id", "name", "pay_frequency")),
        ("pay_rates", ("tenant_id", "role", "hourly_rate", "effective_from")),
        (
            "attendance",
            ("tenant_id", "event_id", "staff_id", "location_id", "role", "clock_in", "updated_at"),
        ),
        ("ytd_opening", ("tenant_id", "staff_id", "tax_year")),
    ],
)
def test_file_kind_required_columns_follow_the_contract(kind, required):
    assert FILE_KINDS[kind].required_columns == required


@pytest.mark.parametrize(
    "text, value",
    [("true", True), ("TRUE", True), ("1", True), ("yes", True), ("false", False),
     ("0", False), ("no", False), ("", False)],
)  # fmt: skip
def test_staff_row_booleans_accept_true_false_1_0_yes_no(text, value):
    row = StaffRow.model_validate({**STAFF, "flsa_exempt": text, "w4_step2": text})
    assert (row.flsa_exempt, row.w4_step2) == (value, value)


def test_staff_row_empty_optional_cells_take_defaults():
    row = StaffRow.model_validate({**STAFF, "filing_status": " ", "w4_dependents": ""})
    assert (row.filing_status, row.w4_dependents, row.annual_salary) == ("single", Decimal(0), None)


@pytest.mark.parametrize("text", ["1772409600", "2026-03-02T00:00:00", "03/02/2026", "2026-3-2"])
def test_pay_rate_row_dates_are_yyyy_mm_dd_only(text):
    data = {"tenant_id": "acme", "role": "cook", "hourly_rate": "15", "effective_from": text}
    assert _first_error(PayRateRow, data) == ("effective_from", "not a YYYY-MM-DD date")


def test_pay_rate_row_rate_keeps_four_decimals_and_rejects_more():
    data = {"tenant_id": "acme", "role": "cook", "effective_from": "2026-01-01"}
    assert PayRateRow.model_validate({**data, "hourly_rate": "15.2500"}).hourly_rate == Decimal(
        "15.25"
    )
    assert _first_error(PayRateRow, {**data, "hourly_rate": "15.12345"})[0] == "hourly_rate"


def test_tenant_row_weekly_needs_anchor_monthly_does_not():
    base = {"tenant_id": "acme", "name": "Acme"}
    assert _first_error(TenantRow, {**base, "pay_frequency": "biweekly"}) == (
        "period_anchor",
        "Value error, required for biweekly pay",
    )
    row = TenantRow.model_validate({**base, "pay_frequency": "monthly"})
    assert (row.period_anchor, row.pay_date_lag_days) == (None, 5)


def test_attendance_row_timestamps_need_an_offset():
    row = AttendanceRow.model_validate(ATTENDANCE)
    assert row.clock_in == dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)
    assert row.break_minutes == 0
    assert _first_error(AttendanceRow, {**ATTENDANCE, "clock_in": "2026-03-02T09:00:00"})[0] == (
        "clock_in"
    )
