import datetime as dt

import pytest

from dagster_project.ingest.errors import IngestFileError

UTC = dt.UTC
ATTENDANCE_HEADER = (
    "tenant_id,event_id,staff_id,location_id,role,clock_in,clock_out,break_minutes,updated_at"
)


def _row(event: str, clock_in: str, clock_out: str, updated: str, **over: str) -> str:
    values = {
        "tenant_id": "acme",
        "event_id": event,
        "staff_id": "S1",
        "location_id": "AUS",
        "role": "cook",
        "clock_in": clock_in,
        "clock_out": clock_out,
        "break_minutes": "30",
        "updated_at": updated,
    }
    values.update(over)
    return ",".join(values.values())


def test_attendance_loads_instants_and_keeps_source_rows(write_csv, ingest, query):
    path = write_csv(
        "attendance.csv",
        "\n".join(
            [
                ATTENDANCE_HEADER,
                _row(
                    "E1",
                    "2026-03-02T09:00:00-06:00",
                    "2026-03-02T17:00:00-06:00",
                    "2026-03-02T17:05:00Z",
                ),
                _row("E2", "2026-03-02T22:00:00Z", "", "2026-03-02T22:00:00Z", break_minutes=""),
            ]
        )
        + "\n",
    )
    report = ingest(path)
    assert (report.total("received"), report.total("loaded")) == (2, 2)
    rows = query(
        "select event_id, clock_in, clock_out, break_minutes, source_row "
        "from raw.attendance order by event_id"
    )
    assert rows[0][1] == dt.datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    assert rows[0][3:] == (30, 2)
    assert rows[1][2:] == (None, 0, 3)


def test_bad_attendance_rows_are_rejected_and_good_rows_still_load(write_csv, ingest, query):
    good = _row(
        "E1", "2026-03-02T09:00:00-06:00", "2026-03-02T17:00:00-06:00", "2026-03-02T17:05:00-06:00"
    )
    path = write_csv(
        "attendance.csv",
        "\n".join(
            [
                ATTENDANCE_HEADER,
                good,
                _row(
                    "E2",
                    "2026-03-0X 09:00",
                    "2026-03-02T17:00:00-06:00",
                    "2026-03-02T17:05:00-06:00",
                ),
                _row(
                    "E3",
                    "2026-03-02T09:00:00-06:00",
                    "2026-03-02T17:00:00-06:00",
                    "2026-03-02T17:05:00-06:00",
                    staff_id="",
                ),
                _row(
                    "E4",
                    "2026-03-02T09:00:00-06:00",
                    "2026-03-02T17:00:00-06:00",
                    "2026-03-02T17:05:00-06:00",
                    break_minutes="-30",
                ),
                _row(
                    "E5",
                    "2026-02-30T09:00:00-06:00",
                    "2026-03-02T17:00:00-06:00",
                    "2026-03-02T17:05:00-06:00",
                ),
                _row(
                    "E6",
                    "2026-03-02T09:00:00",
                    "2026-03-02T17:00:00-06:00",
                    "2026-03-02T17:05:00-06:00",
                ),
            ]
        )
        + "\n",
    )
    report = ingest(path)
    assert (report.total("loaded"), report.total("rejected")) == (1, 5)
    assert query("select event_id from raw.attendance") == [("E1",)]
    assert query(
        "select source_row, record_id, field from raw.rejected_rows order by source_row"
    ) == [
        (3, "E2", "clock_in"),
        (4, "E3", "staff_id"),
        (5, "E4", "break_minutes"),
        (6, "E5", "clock_in"),
        (7, "E6", "clock_in"),
    ]


def test_corrections_follow_updated_at(write_csv, ingest, query):
    first = write_csv(
        "attendance.csv",
        "\n".join(
            [
                ATTENDANCE_HEADER,
                _row("E1", "2026-03-02T09:00:00Z", "2026-03-02T17:00:00Z", "2026-03-02T18:00:00Z"),
                _row("E2", "2026-03-03T09:00:00Z", "2026-03-03T17:00:00Z", "2026-03-03T18:00:00Z"),
                # inside one file the newest wins, and on a tie the later row
                _row("E2", "2026-03-03T09:00:00Z", "2026-03-03T16:00:00Z", "2026-03-03T18:00:00Z"),
                _row("E2", "2026-03-03T09:00:00Z", "2026-03-03T15:00:00Z", "2026-03-03T17:00:00Z"),
            ]
        )
        + "\n",
    )
    report = ingest(first)
    assert (report.total("loaded"), report.total("superseded")) == (2, 2)
    assert query("select clock_out from raw.attendance where event_id = 'E2'") == [
        (dt.datetime(2026, 3, 3, 16, 0, tzinfo=UTC),)
    ]
    later = write_csv(
        "attendance_corrections.csv",
        "\n".join(
            [
                ATTENDANCE_HEADER,
                # newer: replaces
                _row("E1", "2026-03-02T09:00:00Z", "2026-03-02T17:30:00Z", "2026-03-05T08:00:00Z"),
                # older: ignored
                _row("E2", "2026-03-03T09:00:00Z", "2026-03-03T23:00:00Z", "2026-03-03T10:00:00Z"),
            ]
        )
        + "\n",
    )
    report = ingest(later)
    assert (report.total("replaced"), report.total("unchanged")) == (1, 1)
    assert query("select event_id, clock_out from raw.attendance order by event_id") == [
        ("E1", dt.datetime(2026, 3, 2, 17, 30, tzinfo=UTC)),
        ("E2", dt.datetime(2026, 3, 3, 16, 0, tzinfo=UTC)),
    ]


def test_reloading_attendance_changes_nothing(write_csv, ingest, query):
    path = write_csv(
        "attendance.csv",
        "\n".join(
            [
                ATTENDANCE_HEADER,
                _row("E1", "2026-03-02T09:00:00Z", "2026-03-02T17:00:00Z", "2026-03-02T18:00:00Z"),
                _row("E2", "bad", "2026-03-02T17:00:00Z", "2026-03-02T18:00:00Z"),
            ]
        )
        + "\n",
    )
    ingest(path)
    again = ingest(path)
    assert [(r.loaded, r.replaced, r.unchanged, r.rejected) for r in again.files] == [(0, 0, 1, 1)]
    assert query("select count(*) from raw.rejected_rows") == [(1,)]
    assert query("select count(*) from raw.attendance") == [(1,)]


def test_a_file_with_a_broken_csv_row_is_refused_whole(write_csv, ingest, query):
    path = write_csv(
        "attendance.csv",
        ATTENDANCE_HEADER
        + "\n"
        + _row("E1", "2026-03-02T09:00:00Z", "2026-03-02T17:00:00Z", "2026-03-02T18:00:00Z")
        + "\nacme,E2,S1\n",
    )
    with pytest.raises(IngestFileError) as refused:
        ingest(path)
    assert refused.value.row == 3
    assert query("select count(*) from raw.attendance") == [(0,)]


def test_a_large_attendance_file_loads_every_row(write_csv, ingest, query, tmp_path):
    path = tmp_path / "attendance.csv"
    start = dt.datetime(2026, 1, 1, 8, tzinfo=UTC)
    with path.open("w") as handle:
        handle.write(ATTENDANCE_HEADER + "\n")
        for number in range(50_000):
            clock_in = start + dt.timedelta(hours=number)
            clock_out = clock_in + dt.timedelta(minutes=45)
            handle.write(
                f"acme,E{number},S{number % 400},AUS,cook,{clock_in.isoformat()},"
                f"{clock_out.isoformat()},0,{clock_out.isoformat()}\n"
            )
    report = ingest(path)
    assert (report.total("received"), report.total("loaded")) == (50_000, 50_000)
    assert query("select count(*), count(distinct staff_id) from raw.attendance") == [(50_000, 400)]


def test_attendance_values_are_trimmed_whether_or_not_they_look_valid_as_read(
    write_csv, ingest, query
):
    path = write_csv(
        "attendance.csv",
        ATTENDANCE_HEADER,
        # every value padded, a role ending in a space (the one pattern that allows spaces)
        " acme , E1 ,S1 , AUS,line cook , 2026-03-02T09:00:00Z,2026-03-02T17:00:00Z , 30 ,"
        '"2026-03-02T17:05:00Z "',
        "acme,E2,S1,AUS,line cook,2026-03-02T09:00:00Z,,,2026-03-02T17:05:00Z",
    )

    report = ingest(path)

    assert (report.total("loaded"), report.total("rejected")) == (2, 0)
    assert query(
        "select tenant_id, event_id, staff_id, location_id, role, clock_in, clock_out, "
        "break_minutes, updated_at from raw.attendance order by event_id"
    ) == [
        (
            "acme",
            "E1",
            "S1",
            "AUS",
            "line cook",
            dt.datetime(2026, 3, 2, 9, tzinfo=UTC),
            dt.datetime(2026, 3, 2, 17, tzinfo=UTC),
            30,
            dt.datetime(2026, 3, 2, 17, 5, tzinfo=UTC),
        ),
        (
            "acme",
            "E2",
            "S1",
            "AUS",
            "line cook",
            dt.datetime(2026, 3, 2, 9, tzinfo=UTC),
            None,
            0,
            dt.datetime(2026, 3, 2, 17, 5, tzinfo=UTC),
        ),
    ]
