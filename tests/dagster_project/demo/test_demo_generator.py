import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

from dagster_project.demo.generator import write_demo_files

CONTRACT_HEADERS = {
    "tenants": "tenant_id,name,pay_frequency,period_anchor,workweek_start,pay_date_lag_days",
    "locations": "tenant_id,location_id,name,timezone,jurisdiction",
    "staff": "tenant_id,staff_id,full_name,home_location_id,pay_type,flsa_exempt,annual_salary,"
    "filing_status,w4_step2,w4_dependents,w4_other_income,w4_deductions,"
    "w4_extra_withholding,hired_on,terminated_on",
    "pay_rates": "tenant_id,staff_id,role,hourly_rate,effective_from,effective_to",
    "attendance": "tenant_id,event_id,staff_id,location_id,role,clock_in,clock_out,"
    "break_minutes,updated_at",
    "adjustments": "tenant_id,adjustment_id,staff_id,work_date,kind,amount",
    "deductions": "tenant_id,staff_id,kind,amount_per_period,effective_from,effective_to",
    "ytd_opening": "tenant_id,staff_id,tax_year,gross_wages,social_security_wages,"
    "medicare_wages,futa_wages,sdi_wages",
}


def _rows(folder: Path, kind: str) -> list[dict[str, str]]:
    with (folder / f"{kind}.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_demo_files_are_byte_identical_for_a_seed(tmp_path):
    write_demo_files(tmp_path / "a")
    write_demo_files(tmp_path / "b")
    write_demo_files(tmp_path / "c", seed=7)
    for kind in CONTRACT_HEADERS:
        assert (tmp_path / "a" / f"{kind}.csv").read_bytes() == (
            tmp_path / "b" / f"{kind}.csv"
        ).read_bytes()
    assert (tmp_path / "a" / "attendance.csv").read_bytes() != (
        tmp_path / "c" / "attendance.csv"
    ).read_bytes()


def test_demo_headers_are_the_contract_columns(tmp_path):
    write_demo_files(tmp_path)
    for kind, header in CONTRACT_HEADERS.items():
        first_line = (tmp_path / f"{kind}.csv").read_text().splitlines()[0]
        assert first_line == header, kind


def test_demo_is_a_restaurant_group_in_three_states(tmp_path):
    summary = write_demo_files(tmp_path)
    locations = _rows(tmp_path, "locations")
    staff = _rows(tmp_path, "staff")
    assert len({row["jurisdiction"] for row in locations}) == 3
    assert summary.staff_count == len(staff) == 60
    assert sum(row["pay_type"] == "salaried" for row in staff) == 6
    assert all(row["annual_salary"] for row in staff if row["pay_type"] == "salaried")
    assert not any(row["annual_salary"] for row in staff if row["pay_type"] == "hourly")


def test_demo_attendance_has_two_roles_overnight_shifts_and_long_weeks(tmp_path):
    summary = write_demo_files(tmp_path)
    rows = _rows(tmp_path, "attendance")
    bad_ids = set(summary.exception_event_ids)
    good = [
        r
        for r in rows
        if r["event_id"] not in bad_ids and r["staff_id"] and "X" not in r["clock_in"]
    ]
    roles = defaultdict(set)
    hours_by_week = defaultdict(float)
    overnight = 0
    for row in good:
        roles[row["staff_id"]].add(row["role"])
        clock_in = dt.datetime.fromisoformat(row["clock_in"])
        clock_out = dt.datetime.fromisoformat(row["clock_out"])
        assert clock_in.utcoffset() is not None
        overnight += clock_out.date() != clock_in.date()
        week = clock_in.date() - dt.timedelta(days=(clock_in.weekday() + 1) % 7)
        hours_by_week[(row["staff_id"], week)] += (clock_out - clock_in).total_seconds() / 3600
    hourly = {r["staff_id"] for r in _rows(tmp_path, "staff") if r["pay_type"] == "hourly"}
    assert all(len(roles[staff_id]) == 2 for staff_id in hourly)
    assert overnight > 0
    assert max(hours_by_week.values()) > 40
    assert 2000 <= summary.shifts <= 3500


def test_demo_corrections_and_bad_rows_are_counted(tmp_path):
    summary = write_demo_files(tmp_path)
    rows = _rows(tmp_path, "attendance")
    by_event = defaultdict(list)
    for row in rows:
        by_event[row["event_id"]].append(row)
    repeated = {event for event, versions in by_event.items() if len(versions) > 1}
    assert repeated == set(summary.corrected_event_ids)
    assert len(summary.corrected_event_ids) == summary.shifts // 100
    assert len(summary.stale_correction_event_ids) == 3
    assert summary.malformed_rows == 3
    assert len(summary.exception_event_ids) == 4
    assert len(rows) == summary.shifts + len(summary.corrected_event_ids) + 3 + 3 + 4
