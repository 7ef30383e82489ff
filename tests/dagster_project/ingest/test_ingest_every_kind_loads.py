"""Every input file of CONTRACT §3 lands in its ``raw`` table with typed values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dagster_project.ingest.errors import IngestError
from dagster_project.ingest.files import discover_files
from dagster_project.ingest.loader import ingest_paths

UTC = dt.UTC
TENANTS = (
    "tenant_id,name,pay_frequency,period_anchor,workweek_start,pay_date_lag_days",
    "acme,Acme Diner,weekly,2026-03-01,sunday,3",
    "brew,Brew House,monthly,,monday,",
)
LOCATIONS = (
    "tenant_id,location_id,name,timezone,jurisdiction",
    "acme,AUS,Austin,America/Chicago,TX",
    "acme,SFO,San Francisco,America/Los_Angeles,CA",
)
STAFF = (
    "tenant_id,staff_id,full_name,home_location_id,pay_type,flsa_exempt,annual_salary,"
    "filing_status,w4_step2,w4_dependents,w4_other_income,w4_deductions,"
    "w4_extra_withholding,hired_on,terminated_on",
    "acme,S1,Ada Example,AUS,hourly,false,,single,no,0,0,0,0,2025-01-06,",
    "acme,S2,Bo Example,SFO,salaried,yes,78000.00,married_jointly,1,2000,150.50,0,25,"
    "2025-02-01,2026-06-30",
)
PAY_RATES = (
    "tenant_id,staff_id,role,hourly_rate,effective_from,effective_to",
    "acme,,cook,15.25,2026-01-01,",
    "acme,S1,cook,16.1234,2026-01-01,2026-12-31",
)
DEDUCTIONS = (
    "tenant_id,staff_id,kind,amount_per_period,effective_from,effective_to",
    "acme,S1,retirement_401k,50.00,2026-01-01,",
    "acme,S2,section_125,12.5,2026-01-01,2026-12-31",
)
ADJUSTMENTS = (
    "tenant_id,adjustment_id,staff_id,work_date,kind,amount",
    "acme,A1,S1,2026-03-04,bonus,46.00",
    "acme,A2,S2,2026-03-05,discretionary_bonus,-10.5",
)
YTD_OPENING = (
    "tenant_id,staff_id,tax_year,gross_wages,social_security_wages,medicare_wages,"
    "futa_wages,sdi_wages",
    "acme,S2,2026,10000.00,10000.00,10000.00,7000.00,10000.00",
)
ATTENDANCE = (
    "tenant_id,event_id,staff_id,location_id,role,clock_in,clock_out,break_minutes,updated_at",
    "acme,E1,S1,AUS,cook,2026-03-02T09:00:00-06:00,2026-03-02T17:30:00-06:00,30,"
    "2026-03-02T23:00:00Z",
    "acme,E2,S1,AUS,cook,2026-03-03T09:00:00-06:00,,,2026-03-03T09:00:05-06:00",
)
ALL_FILES = {
    "tenants.csv": TENANTS,
    "locations.csv": LOCATIONS,
    "staff.csv": STAFF,
    "pay_rates.csv": PAY_RATES,
    "deductions.csv": DEDUCTIONS,
    "adjustments.csv": ADJUSTMENTS,
    "ytd_opening.csv": YTD_OPENING,
    "attendance_2026-03.csv": ATTENDANCE,
}


@pytest.fixture
def delivery(tmp_path, write_csv):
    folder = tmp_path / "delivery"
    for name, lines in ALL_FILES.items():
        write_csv(name, *lines, folder=folder)
    (folder / "README.txt").write_text("not a csv, ignored")
    return folder


def test_ingest_folder_loads_every_kind_in_load_order(database_url, delivery, count):
    seen = []
    report = ingest_paths(database_url, [delivery], on_file=lambda r: seen.append(r.kind))

    assert seen == [
        "tenants",
        "locations",
        "staff",
        "pay_rates",
        "deductions",
        "adjustments",
        "ytd_opening",
        "attendance",
    ]
    expected = {
        name.split(".")[0].split("_2026")[0]: len(rows) - 1 for name, rows in ALL_FILES.items()
    }
    for result in report.files:
        assert (result.received, result.loaded, result.rejected) == (
            expected[result.kind],
            expected[result.kind],
            0,
        ), result
        assert count(result.kind) == expected[result.kind]
    assert report.total("loaded") == sum(expected.values()) == 15
    assert count("rejected_rows") == 0
    assert count("ingested_files") == 8


def test_ingest_render_is_a_summary_table(database_url, delivery):
    text = ingest_paths(database_url, [delivery]).render()

    assert "loaded" in text and "rejected" in text
    assert "8 files" in text
    assert "attendance_2026-03.csv" in text


def test_ingest_tenants_typed_with_defaults(database_url, delivery, query):
    ingest_paths(database_url, [delivery])

    rows = query(
        "select tenant_id, name, pay_frequency, period_anchor, workweek_start, "
        "pay_date_lag_days, source_row from raw.tenants order by tenant_id"
    )
    assert rows == [
        ("acme", "Acme Diner", "weekly", dt.date(2026, 3, 1), "sunday", 3, 2),
        ("brew", "Brew House", "monthly", None, "monday", 5, 3),
    ]


def test_ingest_staff_typed_booleans_money_and_dates(database_url, delivery, query):
    ingest_paths(database_url, [delivery])

    rows = query(
        "select staff_id, pay_type, flsa_exempt, annual_salary, filing_status, w4_step2, "
        "w4_dependents, w4_other_income, w4_extra_withholding, hired_on, terminated_on "
        "from raw.staff order by staff_id"
    )
    assert rows == [
        ("S1", "hourly", False, None, "single", False, Decimal("0.00"), Decimal("0.00"),
         Decimal("0.00"), dt.date(2025, 1, 6), None),
        ("S2", "salaried", True, Decimal("78000.00"), "married_jointly", True,
         Decimal("2000.00"), Decimal("150.50"), Decimal("25.00"), dt.date(2025, 2, 1),
         dt.date(2026, 6, 30)),
    ]  # fmt: skip


def test_ingest_pay_rates_role_default_is_empty_staff_id(database_url, delivery, query):
    ingest_paths(database_url, [delivery])

    rows = query(
        "select staff_id, role, hourly_rate, effective_from, effective_to "
        "from raw.pay_rates order by staff_id"
    )
    assert rows == [
        ("", "cook", Decimal("15.2500"), dt.date(2026, 1, 1), None),
        ("S1", "cook", Decimal("16.1234"), dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    ]
    assert str(rows[0][2]) == "15.2500"


def test_ingest_locations_deductions_adjustments_ytd_typed(database_url, delivery, query):
    ingest_paths(database_url, [delivery])

    assert query("select location_id, timezone, jurisdiction from raw.locations order by 1") == [
        ("AUS", "America/Chicago", "TX"),
        ("SFO", "America/Los_Angeles", "CA"),
    ]
    assert query("select staff_id, kind, amount_per_period, effective_to from raw.deductions "
                 "order by 1") == [
        ("S1", "retirement_401k", Decimal("50.00"), None),
        ("S2", "section_125", Decimal("12.50"), dt.date(2026, 12, 31)),
    ]  # fmt: skip
    assert query("select adjustment_id, work_date, kind, amount from raw.adjustments "
                 "order by 1") == [
        ("A1", dt.date(2026, 3, 4), "bonus", Decimal("46.00")),
        ("A2", dt.date(2026, 3, 5), "discretionary_bonus", Decimal("-10.50")),
    ]  # fmt: skip
    assert query("select staff_id, tax_year, gross_wages, futa_wages from raw.ytd_opening") == [
        ("S2", 2026, Decimal("10000.00"), Decimal("7000.00"))
    ]


def test_ingest_attendance_instants_and_open_shift(database_url, delivery, query):
    ingest_paths(database_url, [delivery])

    rows = query(
        "select event_id, clock_in, clock_out, break_minutes, updated_at, source_file, "
        "source_row from raw.attendance order by event_id"
    )
    assert [row[:5] for row in rows] == [
        (
            "E1",
            dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC),
            dt.datetime(2026, 3, 2, 23, 30, tzinfo=UTC),
            30,
            dt.datetime(2026, 3, 2, 23, 0, tzinfo=UTC),
        ),
        # empty clock_out = still on shift; empty break_minutes = 0
        ("E2", dt.datetime(2026, 3, 3, 15, 0, tzinfo=UTC), None, 0,
         dt.datetime(2026, 3, 3, 15, 0, 5, tzinfo=UTC)),
    ]  # fmt: skip
    assert [(row[5].endswith("attendance_2026-03.csv"), row[6]) for row in rows] == [
        (True, 2),
        (True, 3),
    ]


def test_ingest_optional_columns_missing_take_defaults(database_url, write_csv, query):
    tenants = write_csv(
        "tenants.csv", "tenant_id,name,pay_frequency", "acme,Acme Diner,semimonthly"
    )
    attendance = write_csv(
        "attendance.csv",
        "updated_at,tenant_id,event_id,staff_id,location_id,role,clock_in",
        "2026-03-02T23:00:00Z,acme,E1,S1,AUS,cook,2026-03-02T09:00:00-06:00",
    )
    staff = write_csv(
        "staff.csv",
        "tenant_id,staff_id,full_name,home_location_id,pay_type",
        "acme,S1,Ada Example,AUS,hourly",
    )

    report = ingest_paths(database_url, [attendance, staff, tenants])

    assert [r.kind for r in report.files] == ["tenants", "staff", "attendance"]
    assert query("select workweek_start, pay_date_lag_days, period_anchor from raw.tenants") == [
        ("sunday", 5, None)
    ]
    assert query(
        "select flsa_exempt, annual_salary, filing_status, w4_step2, w4_dependents, "
        "hired_on from raw.staff"
    ) == [(False, None, "single", False, Decimal("0.00"), None)]
    assert query("select clock_out, break_minutes from raw.attendance") == [(None, 0)]


def test_ingest_ids_are_trimmed_and_case_sensitive(database_url, write_csv, query):
    path = write_csv(
        "adjustments.csv",
        "tenant_id , adjustment_id,staff_id,work_date,kind,amount",
        " acme ,A1,s1,2026-03-04,bonus,1.00",
        "acme,a1,S1,2026-03-04,bonus,2.00",
    )

    ingest_paths(database_url, [path])

    assert query("select tenant_id, adjustment_id, staff_id from raw.adjustments order by 2") == [
        ("acme", "A1", "s1"),
        ("acme", "a1", "S1"),
    ]


@pytest.mark.parametrize(
    "name, kind",
    [
        ("attendance.csv", "attendance"),
        ("attendance_2026-03.csv", "attendance"),
        ("attendance-week10.csv", "attendance"),
        ("attendance.2026.csv", "attendance"),
        ("pay_rates.csv", "pay_rates"),
        ("ytd_opening_2026.csv", "ytd_opening"),
    ],
)
def test_discover_files_kind_from_file_name(tmp_path, name, kind):
    path = tmp_path / name
    path.write_text("x\n")

    [(found_kind, found_path)] = discover_files([path])

    assert (found_kind.name, found_path) == (kind, path)


@pytest.mark.parametrize("name", ["attendances.csv", "punches.csv", "staffing.csv", "xstaff.csv"])
def test_discover_files_unknown_name_is_an_error(tmp_path, name):
    (tmp_path / name).write_text("x\n")

    with pytest.raises(IngestError, match="unknown file name"):
        discover_files([tmp_path])


def test_discover_files_missing_path_is_an_error(tmp_path):
    with pytest.raises(IngestError, match="no such file"):
        discover_files([tmp_path / "nowhere.csv"])


def test_discover_files_folder_is_not_recursive_and_sorted(tmp_path):
    for name in ("attendance_b.csv", "attendance_a.csv", "tenants.csv"):
        (tmp_path / name).write_text("x\n")
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "staff.csv").write_text("x\n")

    found = discover_files([tmp_path])

    assert [(kind.name, path.name) for kind, path in found] == [
        ("tenants", "tenants.csv"),
        ("attendance", "attendance_a.csv"),
        ("attendance", "attendance_b.csv"),
    ]
