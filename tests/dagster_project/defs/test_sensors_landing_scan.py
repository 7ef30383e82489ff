"""Which landing files are new deliveries (pure; no Dagster, no database)."""

import hashlib
import os
from pathlib import Path

from dagster_project.defs.sensors.landing_scan import (
    MAX_REMEMBERED,
    LandingCursor,
    scan_landing,
)

NOW = 1_800_000_000.0  # a fixed clock: no test here depends on timing


def drop(folder: Path, name: str, text: str, age_seconds: float = 3600) -> Path:
    path = folder / name
    path.write_text(text)
    os.utime(path, (NOW - age_seconds, NOW - age_seconds))
    return path


def test_a_new_file_is_new_and_the_cursor_remembers_it(tmp_path):
    drop(tmp_path, "tenants.csv", "tenant_id,name\n")
    first = scan_landing(tmp_path, LandingCursor(), NOW, settle_seconds=30)
    assert [f.name for f in first.new_files] == ["tenants.csv"]
    assert first.new_files[0].sha256 == hashlib.sha256(b"tenant_id,name\n").hexdigest()
    again = scan_landing(
        tmp_path, LandingCursor.from_json(first.cursor.to_json()), NOW, settle_seconds=30
    )
    assert again.new_files == []
    assert again.unchanged == 1


def test_a_redropped_identical_file_is_skipped_even_under_another_name(tmp_path):
    path = drop(tmp_path, "attendance_2026-03.csv", "a,b\n1,2\n")
    cursor = scan_landing(tmp_path, LandingCursor(), NOW, 30).cursor
    path.unlink()
    drop(tmp_path, "attendance_2026-03.csv", "a,b\n1,2\n", age_seconds=60)
    drop(tmp_path, "attendance_copy.csv", "a,b\n1,2\n", age_seconds=60)
    scan = scan_landing(tmp_path, cursor, NOW, 30)
    assert scan.new_files == []
    assert scan.unchanged == 2


def test_a_changed_file_is_a_new_delivery_with_a_new_run_key(tmp_path):
    drop(tmp_path, "attendance.csv", "a,b\n1,2\n")
    first = scan_landing(tmp_path, LandingCursor(), NOW, 30)
    drop(tmp_path, "attendance.csv", "a,b\n1,3\n", age_seconds=120)
    second = scan_landing(tmp_path, first.cursor, NOW, 30)
    assert [f.name for f in second.new_files] == ["attendance.csv"]
    assert second.new_files[0].sha256 != first.new_files[0].sha256
    assert second.run_key != first.run_key
    assert second.run_key.startswith("landing|")


def test_the_run_key_depends_only_on_the_new_contents(tmp_path, tmp_path_factory):
    other = tmp_path_factory.mktemp("other")
    drop(tmp_path, "staff.csv", "x\n1\n")
    drop(tmp_path, "locations.csv", "y\n2\n")
    drop(other, "locations_b.csv", "y\n2\n")
    drop(other, "staff_b.csv", "x\n1\n")
    assert (
        scan_landing(tmp_path, LandingCursor(), NOW, 30).run_key
        == scan_landing(other, LandingCursor(), NOW, 30).run_key
    )


def test_a_file_still_being_written_waits_for_the_next_scan(tmp_path):
    drop(tmp_path, "staff.csv", "x\n1\n", age_seconds=5)
    waiting = scan_landing(tmp_path, LandingCursor(), NOW, settle_seconds=30)
    assert waiting.new_files == [] and waiting.settling == ["staff.csv"]
    later = scan_landing(tmp_path, waiting.cursor, NOW + 60, settle_seconds=30)
    assert [f.name for f in later.new_files] == ["staff.csv"]


def test_hidden_and_non_csv_files_are_ignored(tmp_path):
    drop(tmp_path, ".staff.csv.part", "x\n")
    drop(tmp_path, ".staff.csv", "x\n")
    drop(tmp_path, "README.txt", "x\n")
    (tmp_path / "archive.csv").mkdir()
    assert scan_landing(tmp_path, LandingCursor(), NOW, 30).new_files == []
    assert scan_landing(tmp_path / "missing", LandingCursor(), NOW, 30).new_files == []


def test_an_unchanged_file_is_not_hashed_again(tmp_path):
    path = drop(tmp_path, "staff.csv", "x\n1\n")
    cursor = scan_landing(tmp_path, LandingCursor(), NOW, 30).cursor
    # same size and mtime: the cursor's hash is trusted (content swapped behind our back)
    stat = path.stat()
    path.write_text("y\n2\n")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert scan_landing(tmp_path, cursor, NOW, 30).new_files == []


def test_the_cursor_forgets_the_oldest_hashes_beyond_its_limit(tmp_path):
    cursor = LandingCursor(delivered=[f"{n:064x}" for n in range(MAX_REMEMBERED)])
    drop(tmp_path, "staff.csv", "x\n1\n")
    scan = scan_landing(tmp_path, cursor, NOW, 30)
    assert len(scan.cursor.delivered) == MAX_REMEMBERED
    assert scan.cursor.delivered[0] == f"{1:064x}"
    assert scan.cursor.delivered[-1] == scan.new_files[0].sha256
