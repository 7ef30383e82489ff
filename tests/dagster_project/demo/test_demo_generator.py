import csv
import datetime as dt
from collections import Counter, defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dagster_project.demo.generator import DEMO_SEED, DemoSummary, write_demo_files
from tests.reference.contract import CONTRACT_COLUMNS

CONTRACT_HEADERS = {kind: ",".join(columns) for kind, columns in CONTRACT_COLUMNS.items()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, DemoSummary]:
    folder = tmp_path_factory.mktemp("demo")
    return folder, write_demo_files(folder)


def _rows(folder: Path, kind: str) -> list[dict[str, str]]:
    with (folder / f"{kind}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _good_attendance(folder: Path, summary: DemoSummary) -> list[dict[str, str]]:
    """The latest version of every good shift (corrections applied)."""
    bad = set(summary.malformed_event_ids) | set(summary.exception_event_ids)
    latest: dict[str, dict[str, str]] = {}
    for row in _rows(folder, "attendance"):
        if row["event_id"] in bad:
            continue
        known = latest.get(row["event_id"])
        if known is None or row["updated_at"] > known["updated_at"]:
            latest[row["event_id"]] = row
    return list(latest.values())


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def test_demo_generator_same_seed_writes_byte_identical_files(tmp_path):
    write_demo_files(tmp_path / "a")
    write_demo_files(tmp_path / "b", seed=DEMO_SEED)
    write_demo_files(tmp_path / "c", seed=7)
    for kind in CONTRACT_HEADERS:
        first = (tmp_path / "a" / f"{kind}.csv").read_bytes()
        assert first == (tmp_path / "b" / f"{kind}.csv").read_bytes(), kind
    assert (tmp_path / "a" / "attendance.csv").read_bytes() != (
        tmp_path / "c" / "attendance.csv"
    ).read_bytes()


def test_demo_generator_headers_are_the_contract_columns(demo):
    folder, summary = demo
    assert sorted(path.stem for path in folder.glob("*.csv")) == sorted(CONTRACT_HEADERS)
    for kind, header in CONTRACT_HEADERS.items():
        lines = (folder / f"{kind}.csv").read_text(encoding="utf-8").splitlines()
        assert lines[0] == header, kind
        assert summary.rows[kind] == len(lines) - 1, kind


def test_demo_generator_writes_one_biweekly_tenant_over_eight_weeks(demo):
    folder, summary = demo
    (tenant,) = _rows(folder, "tenants")
    assert tenant == {
        "tenant_id": "bistro",
        "name": "Bistro Group",
        "pay_frequency": "biweekly",
        "period_anchor": "2026-03-01",
        "workweek_start": "sunday",
        "pay_date_lag_days": "5",
    }
    assert (summary.first_day, summary.last_day) == (dt.date(2026, 3, 1), dt.date(2026, 4, 25))
    assert summary.period_starts == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 15),
        dt.date(2026, 3, 29),
        dt.date(2026, 4, 12),
    )


def test_demo_generator_staffs_three_locations_in_three_states(demo):
    folder, summary = demo
    locations = _rows(folder, "locations")
    staff = _rows(folder, "staff")
    assert len({row["jurisdiction"] for row in locations}) == 3
    assert len({row["timezone"] for row in locations}) == 3
    assert summary.staff_count == len(staff) == 60
    assert len({row["full_name"] for row in staff}) == 60
    for location in locations:
        here = [row for row in staff if row["home_location_id"] == location["location_id"]]
        salaried = [row for row in here if row["pay_type"] == "salaried"]
        assert len(salaried) == 2
        assert sum(row["flsa_exempt"] == "true" for row in salaried) == 1
    for row in staff:
        assert bool(row["annual_salary"]) == (row["pay_type"] == "salaried")
    salaries = [float(row["annual_salary"]) for row in staff if row["annual_salary"]]
    assert all(52_000 <= salary <= 75_000 for salary in salaries)
    assert {row["filing_status"] for row in staff} == {
        "single",
        "married_jointly",
        "head_of_household",
    }
    assert any(row["w4_step2"] == "true" for row in staff)
    assert any(row["w4_dependents"] != "0.00" for row in staff)


def test_demo_generator_hires_and_terminates_inside_the_range(demo):
    folder, summary = demo
    staff = _rows(folder, "staff")
    inside = [summary.first_day.isoformat(), summary.last_day.isoformat()]
    hired = [row for row in staff if inside[0] < row["hired_on"] <= inside[1]]
    leavers = [row for row in staff if row["terminated_on"]]
    assert len(hired) == 1 and len(leavers) == 1
    assert leavers[0]["pay_type"] == "salaried"
    assert inside[0] < leavers[0]["terminated_on"] < inside[1]
    worked = defaultdict(list)
    for row in _good_attendance(folder, summary):
        worked[row["staff_id"]].append(_parse(row["clock_in"]).date().isoformat())
    assert min(worked[hired[0]["staff_id"]]) >= hired[0]["hired_on"]
    assert max(worked[leavers[0]["staff_id"]]) <= leavers[0]["terminated_on"]


def test_demo_generator_rates_have_defaults_overrides_and_a_mid_range_change(demo):
    folder, _ = demo
    rates = _rows(folder, "pay_rates")
    defaults = {row["role"] for row in rates if not row["staff_id"]}
    assert defaults == {"server", "cook", "dishwasher", "host", "bartender"}
    assert any(row["staff_id"] for row in rates)
    ends = {(row["staff_id"], row["role"], row["effective_to"]) for row in rates}
    starts = {(row["staff_id"], row["role"], row["effective_from"]) for row in rates}
    changed = {(s, r) for s, r, to in ends if to == "2026-04-04"}
    assert changed and all((s, r, "2026-04-05") in starts for s, r in changed)
    assert all(row["hourly_rate"].count(".") == 1 for row in rates)
    assert all(len(row["hourly_rate"].split(".")[1]) == 2 for row in rates)


def test_demo_generator_hourly_staff_work_two_roles_overnight_and_long_weeks(demo):
    folder, summary = demo
    good = _good_attendance(folder, summary)
    assert len(good) == summary.shifts
    assert 2500 <= summary.shifts <= 3500
    roles = defaultdict(set)
    hours_by_week: Counter[tuple[str, dt.date]] = Counter()
    overnight = 0
    for row in good:
        roles[row["staff_id"]].add(row["role"])
        clock_in, clock_out = _parse(row["clock_in"]), _parse(row["clock_out"])
        overnight += clock_out.date() != clock_in.date()
        sunday = clock_in.date() - dt.timedelta(days=(clock_in.weekday() + 1) % 7)
        worked = (clock_out - clock_in).total_seconds() / 3600 - int(row["break_minutes"]) / 60
        hours_by_week[(row["staff_id"], sunday)] += worked
    hourly = {r["staff_id"] for r in _rows(folder, "staff") if r["pay_type"] == "hourly"}
    assert all(len(roles[staff_id]) == 2 for staff_id in hourly)
    assert overnight > 0
    assert any(hours > 40 for (staff_id, _), hours in hours_by_week.items() if staff_id in hourly)


def test_demo_generator_timestamps_carry_the_local_offset(demo):
    folder, summary = demo
    malformed = set(summary.malformed_event_ids)
    open_shifts = 0
    zones = {row["location_id"]: row["timezone"] for row in _rows(folder, "locations")}
    for row in _rows(folder, "attendance"):
        if row["event_id"] in malformed:
            continue
        for column in ("clock_in", "clock_out", "updated_at"):
            if column == "clock_out" and not row[column]:
                open_shifts += 1
                continue
            moment = _parse(row[column])
            assert moment.utcoffset() is not None, (row["event_id"], column)
            local = moment.astimezone(ZoneInfo(zones[row["location_id"]]))
            assert local.utcoffset() == moment.utcoffset(), (row["event_id"], column)
    assert open_shifts == 1


def test_demo_generator_crosses_the_spring_dst_change(demo):
    folder, summary = demo
    offsets = {
        _parse(row["clock_in"]).utcoffset()
        for row in _good_attendance(folder, summary)
        if row["location_id"] == "AUS"
    }
    assert offsets == {dt.timedelta(hours=-6), dt.timedelta(hours=-5)}


def test_demo_generator_counts_corrections_and_bad_rows(demo):
    folder, summary = demo
    rows = _rows(folder, "attendance")
    versions = defaultdict(list)
    for position, row in enumerate(rows):
        versions[row["event_id"]].append((position, row))
    repeated = {event for event, found in versions.items() if len(found) > 1}
    assert repeated == set(summary.corrected_event_ids) | set(summary.stale_correction_event_ids)
    assert len(summary.corrected_event_ids) == summary.shifts // 100
    assert len(summary.stale_correction_event_ids) == 3
    for event in summary.corrected_event_ids:
        (_, first), (_, second) = versions[event]
        assert second["updated_at"] > first["updated_at"]
        assert second["clock_out"] != first["clock_out"]
    for event in summary.stale_correction_event_ids:
        (_, first), (_, second) = versions[event]
        assert _parse(second["updated_at"]) < _parse(first["updated_at"])
    assert (summary.malformed_rows, summary.bad_rows) == (3, 7)
    bad = [*summary.malformed_event_ids, *summary.exception_event_ids]
    assert all(len(versions[event]) == 1 for event in bad)
    assert summary.rows["attendance"] == len(rows) == summary.shifts + len(repeated) + len(bad)


def test_demo_generator_bad_rows_are_each_bad_in_one_way(demo):
    folder, summary = demo
    by_event = {row["event_id"]: row for row in _rows(folder, "attendance")}
    malformed = [by_event[event] for event in summary.malformed_event_ids]
    assert malformed[0]["clock_in"] == "2026-03-0X 09:00"
    assert malformed[1]["staff_id"] == ""
    assert int(malformed[2]["break_minutes"]) < 0
    reversed_, unknown, still_on, after_end = (by_event[e] for e in summary.exception_event_ids)
    assert _parse(reversed_["clock_out"]) < _parse(reversed_["clock_in"])
    assert unknown["staff_id"] == "S999"
    assert still_on["clock_out"] == ""
    terminated = {r["staff_id"]: r["terminated_on"] for r in _rows(folder, "staff")}
    assert _parse(after_end["clock_in"]).date().isoformat() > terminated[after_end["staff_id"]]


def test_demo_generator_money_bonuses_deductions_and_opening_ytd(demo):
    folder, _ = demo
    kinds = Counter(row["kind"] for row in _rows(folder, "adjustments"))
    assert kinds["bonus"] > 0 and kinds["discretionary_bonus"] > 0
    deductions = _rows(folder, "deductions")
    assert {row["kind"] for row in deductions} == {"retirement_401k", "section_125", "post_tax"}
    assert all(row["effective_from"] == "2026-01-01" for row in deductions)
    ytd = _rows(folder, "ytd_opening")
    assert len(ytd) == 2
    pay_types = {r["staff_id"]: r["pay_type"] for r in _rows(folder, "staff")}
    near_cap = [row for row in ytd if row["social_security_wages"] == "180000.00"]
    assert len(near_cap) == 1 and pay_types[near_cap[0]["staff_id"]] == "salaried"
    for row in ytd:
        assert row["tax_year"] == "2026"
        wages = {row[c] for c in CONTRACT_HEADERS["ytd_opening"].split(",")[3:]}
        assert len(wages) == 1  # nobody here has section 125: every wage base = gross
