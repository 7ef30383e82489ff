"""CONTRACT §6's optional input columns through ingest: locations
``locality``, pay_rates ``tip_credit``, attendance ``cash_tips`` and
``card_tips`` — loaded typed, defaulted when empty or absent, refused with
field and reason when bad (the good rows still load), and re-delivered by the
existing rules: a file is the whole row, so an optional column it lacks
takes its default (an attendance row only replaces a strictly older one)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dagster_project.ingest.loader import ingest_paths

LOCATIONS = "tenant_id,location_id,name,timezone,jurisdiction"
PAY_RATES = "tenant_id,staff_id,role,hourly_rate,effective_from,effective_to"
ATTENDANCE = (
    "tenant_id,event_id,staff_id,location_id,role,clock_in,clock_out,break_minutes,updated_at"
)
SHIFT = "2026-03-02T17:00:00-06:00,2026-03-02T23:00:00-06:00,0"
UPDATED = "2026-03-03T00:00:00Z"
LATER = "2026-03-04T00:00:00Z"


def _rejections(query, kind: str) -> list[tuple]:
    return query(
        "select source_row, field, reason, record_id from raw.rejected_rows "
        "where file_kind = %s order by source_row",
        (kind,),
    )


def _quarantine_codes(query) -> list[tuple]:
    """(file kind, reason code, rows) as ``payroll metrics`` labels refused rows."""
    from dagster_project.lib.metrics import _QUARANTINE

    return [row[1:] for row in query(_QUARANTINE, {"unknown": "_unknown"})]


# --------------------------------------------------------------------------- locations


def test_locations_locality_loads_and_empty_or_absent_is_none(database_url, write_csv, query):
    with_column = write_csv(
        "locations.csv",
        f"{LOCATIONS},locality",
        "acme,NYC1,Midtown,America/New_York,NY,nyc",
        "acme,ALB,Albany,America/New_York,NY,",
        "acme,SEA,Pike Place,America/Los_Angeles,WA, seattle ",
    )
    [result] = ingest_paths(database_url, [with_column]).files
    assert (result.loaded, result.rejected) == (3, 0)
    assert query("select location_id, locality from raw.locations order by 1") == [
        ("ALB", None),
        ("NYC1", "nyc"),
        ("SEA", "seattle"),
    ]

    without_column = write_csv("locations_2.csv", LOCATIONS, "acme,DAL,Dallas,America/Chicago,TX")
    ingest_paths(database_url, [without_column])
    assert query("select locality from raw.locations where location_id = 'DAL'") == [(None,)]


def test_locations_bad_locality_rejected_naming_the_field(database_url, write_csv, query):
    path = write_csv(
        "locations.csv",
        f"{LOCATIONS},locality",
        "acme,NYC1,Midtown,America/New_York,NY,nyc",
        "acme,NYC2,Brooklyn,America/New_York,NY,new york",
        "acme,NYC3,Queens,America/New_York,NY,-nyc",
    )
    [result] = ingest_paths(database_url, [path]).files

    assert (result.received, result.loaded, result.rejected) == (3, 1, 2)
    assert query("select location_id, locality from raw.locations") == [("NYC1", "nyc")]
    rows = _rejections(query, "locations")
    assert [row[:2] for row in rows] == [(3, "locality"), (4, "locality")]
    assert rows[0][2].startswith("locality: ")
    assert [row[3] for row in rows] == ["NYC2", "NYC3"]
    assert _quarantine_codes(query) == [("locations", "malformed_value", 2)]


def test_locations_redelivered_without_locality_take_the_default(database_url, write_csv, query):
    """The existing convention for optional columns (CONTRACT §3: a missing
    optional column takes its default): a file states the whole row."""
    first = write_csv(
        "locations.csv", f"{LOCATIONS},locality", "acme,NYC1,Midtown,America/New_York,NY,nyc"
    )
    ingest_paths(database_url, [first])
    [again] = ingest_paths(database_url, [first]).files
    assert (again.loaded, again.replaced, again.unchanged) == (0, 0, 1)

    second = write_csv("locations_2.csv", LOCATIONS, "acme,NYC1,Midtown,America/New_York,NY")
    [result] = ingest_paths(database_url, [second]).files
    assert (result.loaded, result.replaced) == (0, 1)
    assert query("select locality from raw.locations") == [(None,)]


# --------------------------------------------------------------------------- pay_rates


def test_pay_rates_tip_credit_parses_like_other_bools(database_url, write_csv, query):
    path = write_csv(
        "pay_rates.csv",
        f"{PAY_RATES},tip_credit",
        "acme,,server,2.13,2026-01-01,,true",
        "acme,S1,server,2.13,2026-01-01,,yes",
        "acme,S2,server,2.13,2026-01-01,,1",
        "acme,,cook,16.00,2026-01-01,,",
        "acme,S3,server,9.00,2026-01-01,,false",
        "acme,S4,server,9.00,2026-01-01,,No",
    )
    [result] = ingest_paths(database_url, [path]).files
    assert (result.loaded, result.rejected) == (6, 0)
    assert query("select staff_id, role, tip_credit from raw.pay_rates order by 1, 2") == [
        ("", "cook", False),
        ("", "server", True),
        ("S1", "server", True),
        ("S2", "server", True),
        ("S3", "server", False),
        ("S4", "server", False),
    ]


def test_pay_rates_without_tip_credit_column_take_false(database_url, write_csv, query):
    path = write_csv("pay_rates.csv", PAY_RATES, "acme,,cook,16.00,2026-01-01,")
    ingest_paths(database_url, [path])
    assert query("select tip_credit from raw.pay_rates") == [(False,)]


def test_pay_rates_bad_tip_credit_rejected_naming_the_field(database_url, write_csv, query):
    path = write_csv(
        "pay_rates.csv",
        f"{PAY_RATES},tip_credit",
        "acme,,server,2.13,2026-01-01,,true",
        "acme,S1,server,2.13,2026-01-01,,maybe",
        "acme,S2,server,2.13,2026-01-01,,2",
    )
    [result] = ingest_paths(database_url, [path]).files

    assert (result.received, result.loaded, result.rejected) == (3, 1, 2)
    assert query("select staff_id, tip_credit from raw.pay_rates") == [("", True)]
    rows = _rejections(query, "pay_rates")
    assert [row[:2] for row in rows] == [(3, "tip_credit"), (4, "tip_credit")]
    assert rows[0][2].startswith("tip_credit: ")
    assert _quarantine_codes(query) == [("pay_rates", "malformed_value", 2)]


def test_pay_rates_redelivered_without_tip_credit_take_false(database_url, write_csv, query):
    first = write_csv(
        "pay_rates.csv", f"{PAY_RATES},tip_credit", "acme,,server,2.13,2026-01-01,,true"
    )
    ingest_paths(database_url, [first])
    [again] = ingest_paths(database_url, [first]).files
    assert (again.replaced, again.unchanged) == (0, 1)

    second = write_csv("pay_rates_2.csv", PAY_RATES, "acme,,server,2.13,2026-01-01,")
    [result] = ingest_paths(database_url, [second]).files
    assert result.replaced == 1
    assert query("select tip_credit from raw.pay_rates") == [(False,)]


# --------------------------------------------------------------------------- attendance


def test_attendance_tips_load_exactly_and_default_to_zero(database_url, write_csv, query):
    path = write_csv(
        "attendance.csv",
        f"{ATTENDANCE},cash_tips,card_tips",
        f"acme,E1,S1,AUS,server,{SHIFT},{UPDATED},40.25,112.5",
        f"acme,E2,S1,AUS,server,{SHIFT},{UPDATED},,",
        f"acme,E3,S1,AUS,server,{SHIFT},{UPDATED}, 7 ,0",
        f"acme,E4,S1,AUS,server,{SHIFT},{UPDATED},999999999999.99,0.00",
    )
    [result] = ingest_paths(database_url, [path]).files
    assert (result.loaded, result.rejected) == (4, 0)
    assert query("select event_id, cash_tips, card_tips from raw.attendance order by 1") == [
        ("E1", Decimal("40.25"), Decimal("112.50")),
        ("E2", Decimal("0.00"), Decimal("0.00")),
        ("E3", Decimal("7.00"), Decimal("0.00")),
        ("E4", Decimal("999999999999.99"), Decimal("0.00")),
    ]


def test_attendance_without_tip_columns_loads_zero_tips(database_url, write_csv, query):
    only_card = write_csv(
        "attendance.csv",
        f"{ATTENDANCE},card_tips",
        f"acme,E1,S1,AUS,server,{SHIFT},{UPDATED},18.00",
    )
    neither = write_csv("attendance_2.csv", ATTENDANCE, f"acme,E2,S1,AUS,cook,{SHIFT},{UPDATED}")
    ingest_paths(database_url, [only_card, neither])
    assert query("select event_id, cash_tips, card_tips from raw.attendance order by 1") == [
        ("E1", Decimal("0.00"), Decimal("18.00")),
        ("E2", Decimal("0.00"), Decimal("0.00")),
    ]


@pytest.mark.parametrize(
    "value",
    [
        "-5.00",  # negative
        "-0.01",
        "12.345",  # a fraction of a cent
        "abc",
        "1e3",
        "$5",
        "+5",
        "5.",
        "1,000",  # quoted below, so one cell
        "1000000000000",  # 13 digits: more than numeric(14, 2) holds
        "NaN",
    ],
)
@pytest.mark.parametrize("column", ["cash_tips", "card_tips"])
def test_attendance_bad_tips_rejected_as_malformed_value_naming_the_field(
    database_url, write_csv, query, column, value
):
    cells = {"cash_tips": "3.00", "card_tips": "4.00", column: f'"{value}"'}
    path = write_csv(
        "attendance.csv",
        f"{ATTENDANCE},cash_tips,card_tips",
        f"acme,E1,S1,AUS,server,{SHIFT},{UPDATED},3.00,4.00",
        f"acme,E2,S1,AUS,server,{SHIFT},{UPDATED},{cells['cash_tips']},{cells['card_tips']}",
    )

    [result] = ingest_paths(database_url, [path]).files

    assert (result.loaded, result.rejected) == (1, 1)
    assert query("select event_id, cash_tips, card_tips from raw.attendance") == [
        ("E1", Decimal("3.00"), Decimal("4.00"))
    ]
    assert _rejections(query, "attendance") == [
        (
            3,
            column,
            f"{column}: not an amount of dollars of at least 0 with at most 2 decimals",
            "E2",
        )
    ]
    assert _quarantine_codes(query) == [("attendance", "malformed_value", 1)]


def test_attendance_redelivery_keeps_tips_and_a_correction_replaces_them(
    database_url, write_csv, query, count
):
    """Attendance's own rule (CONTRACT §3): only a strictly newer updated_at
    replaces a loaded event, and then the whole row, its tips included (a
    correction without the tip columns has 0 tips, like any optional column)."""
    first = write_csv(
        "attendance.csv",
        f"{ATTENDANCE},cash_tips,card_tips",
        f"acme,E1,S1,AUS,server,{SHIFT},{UPDATED},40.25,112.50",
        f"acme,E2,S1,AUS,server,{SHIFT},{UPDATED},10.00,20.00",
    )
    ingest_paths(database_url, [first])
    [again] = ingest_paths(database_url, [first]).files
    assert (again.loaded, again.replaced, again.unchanged) == (0, 0, 2)

    # the same versions without the tip columns, and E2 corrected without them
    second = write_csv(
        "attendance_2.csv",
        ATTENDANCE,
        f"acme,E1,S1,AUS,server,{SHIFT},{UPDATED}",
        f"acme,E2,S1,AUS,server,{SHIFT},{LATER}",
    )
    [result] = ingest_paths(database_url, [second]).files
    assert (result.loaded, result.replaced, result.unchanged) == (0, 1, 1)
    assert query("select event_id, cash_tips, card_tips from raw.attendance order by 1") == [
        ("E1", Decimal("40.25"), Decimal("112.50")),
        ("E2", Decimal("0.00"), Decimal("0.00")),
    ]
    assert count("attendance_superseded") == 2  # E1 older than loaded, E2's old version


def test_attendance_tips_land_by_the_large_load_into_an_empty_table(
    database_url, write_csv, query, monkeypatch
):
    """The large load's own statement (no table to compare with) carries the
    tips too; the threshold is lowered so that four rows take that path."""
    monkeypatch.setattr("dagster_project.ingest.large_load.LARGE_LOAD_MIN_ROWS", 2)
    path = write_csv(
        "attendance.csv",
        f"{ATTENDANCE},card_tips,cash_tips",
        f"acme,E1,S1,AUS,server,{SHIFT},{UPDATED},112.50,40.25",
        f"acme,E2,S1,AUS,server,{SHIFT},{UPDATED},,",
        f"acme,E3,S1,AUS,server,{SHIFT},{UPDATED},-1,",
        f"acme,E1,S1,AUS,server,{SHIFT},{LATER},113.50,41.25",
    )
    [result] = ingest_paths(database_url, [path]).files

    assert (result.loaded, result.rejected, result.superseded) == (2, 1, 1)
    assert query("select event_id, cash_tips, card_tips from raw.attendance order by 1") == [
        ("E1", Decimal("41.25"), Decimal("113.50")),
        ("E2", Decimal("0.00"), Decimal("0.00")),
    ]
    assert [row[:2] for row in _rejections(query, "attendance")] == [(4, "card_tips")]
