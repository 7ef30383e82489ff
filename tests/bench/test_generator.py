"""The benchmark's data generator: seeded, sized, and shaped like the
contract's input files, with the corrections and bad rows it promises."""

from __future__ import annotations

import csv
import datetime as dt
import filecmp
from collections import Counter, defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bench import generator
from tests.reference.contract import CONTRACT_COLUMNS

TARGET = 20_000
FILES = tuple(CONTRACT_COLUMNS)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> generator.DatasetSummary:
    return generator.generate(tmp_path_factory.mktemp("bench_data"), TARGET, seed=7)


def _rows(folder: Path, kind: str) -> list[dict[str, str]]:
    with (folder / f"{kind}.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _instant(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def test_same_seed_writes_byte_identical_files(dataset, tmp_path):
    again = generator.generate(tmp_path / "again", TARGET, seed=7)
    assert again == generator.DatasetSummary(**{**vars(dataset), "folder": again.folder})
    for kind in FILES:
        assert filecmp.cmp(dataset.folder / f"{kind}.csv", again.folder / f"{kind}.csv", False)


def test_another_seed_writes_other_punches(dataset, tmp_path):
    other = generator.generate(tmp_path / "other", TARGET, seed=8)
    mine = (dataset.folder / "attendance.csv").read_bytes()
    assert (other.folder / "attendance.csv").read_bytes() != mine


def test_every_file_has_the_contract_header(dataset):
    for kind in FILES:
        with (dataset.folder / f"{kind}.csv").open(encoding="utf-8") as handle:
            assert next(csv.reader(handle)) == CONTRACT_COLUMNS[kind], kind


def test_row_counts_match_the_summary_and_the_size(dataset):
    for kind in FILES:
        assert len(_rows(dataset.folder, kind)) == dataset.rows[kind], kind
    # whole staff members are kept until each tenant reaches its share
    assert TARGET <= dataset.shifts <= TARGET + 2 * 7 * generator.WEEKS
    bad = sum(dataset.bad_rows.values())
    assert dataset.rows["attendance"] == dataset.shifts + dataset.corrections + bad
    assert dataset.rows["tenants"] == 2
    assert dataset.staff == dataset.rows["staff"]
    assert dataset.locations == dataset.rows["locations"]


def test_one_percent_of_shifts_come_again_as_a_later_correction(dataset):
    by_event = defaultdict(list)
    for row in _rows(dataset.folder, "attendance"):
        by_event[(row["tenant_id"], row["event_id"])].append(row)
    repeated = {key: rows for key, rows in by_event.items() if len(rows) > 1}
    assert len(repeated) == dataset.corrections
    assert dataset.corrections == pytest.approx(0.01 * dataset.shifts, abs=2)
    for original, correction in repeated.values():
        assert _instant(correction["updated_at"]) > _instant(original["updated_at"])
        assert correction["clock_in"] == original["clock_in"]
        moved = _instant(correction["clock_out"]) - _instant(original["clock_out"])
        assert abs(moved) in (dt.timedelta(minutes=15), dt.timedelta(minutes=30))


def test_half_a_percent_of_attendance_rows_are_bad_of_every_kind(dataset):
    bad = sum(dataset.bad_rows.values())
    assert bad / dataset.rows["attendance"] == pytest.approx(0.005, abs=0.0005)
    assert set(dataset.bad_rows) == set(generator.BAD_KINDS)
    assert all(count > 0 for count in dataset.bad_rows.values()), dataset.bad_rows
    rows = _rows(dataset.folder, "attendance")
    assert sum(1 for r in rows if not r["staff_id"]) == dataset.bad_rows["missing_staff_id"]
    assert sum(1 for r in rows if r["break_minutes"] == "-30") == dataset.bad_rows["negative_break"]
    assert sum(1 for r in rows if not r["clock_out"]) == dataset.bad_rows["open_shift"]
    assert sum(1 for r in rows if "/" in r["clock_in"]) == dataset.bad_rows["malformed_clock_in"]
    assert (
        sum(1 for r in rows if r["role"] == generator.UNRATED_ROLE)
        == dataset.bad_rows["missing_rate"]
    )


def test_restaurant_shapes_are_all_there(dataset):
    """Several states, two roles per hourly staff member, effective-dated
    rates, overnight shifts and weeks over 40 hours."""
    locations = {(r["tenant_id"], r["location_id"]): r for r in _rows(dataset.folder, "locations")}
    assert len({r["jurisdiction"] for r in locations.values()}) >= 10
    staff = {(r["tenant_id"], r["staff_id"]): r for r in _rows(dataset.folder, "staff")}
    rates = _rows(dataset.folder, "pay_rates")
    assert any(r["effective_to"] for r in rates if not r["staff_id"])
    assert any(r["staff_id"] for r in rates)
    roles = defaultdict(set)
    overnight = 0
    hours = Counter()
    for row in _rows(dataset.folder, "attendance"):
        key = (row["tenant_id"], row["staff_id"])
        if key not in staff or not row["clock_out"] or "/" in row["clock_in"]:
            continue
        roles[key].add(row["role"])
        zone = ZoneInfo(locations[(row["tenant_id"], row["location_id"])]["timezone"])
        clock_in, clock_out = _instant(row["clock_in"]), _instant(row["clock_out"])
        if clock_in.astimezone(zone).date() != clock_out.astimezone(zone).date():
            overnight += 1
        week = clock_in.astimezone(zone).date().isocalendar()[:2]
        worked = (clock_out - clock_in).total_seconds() / 3600 - int(row["break_minutes"]) / 60
        hours[(key, week)] += worked
    hourly = [key for key, member in staff.items() if member["pay_type"] == "hourly"]
    assert sum(1 for key in hourly if len(roles[key]) == 2) > 0.8 * len(hourly)
    assert overnight > 0.05 * dataset.shifts
    assert sum(1 for total in hours.values() if total > 40) > 0.1 * len(hours)
