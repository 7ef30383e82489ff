"""Bad rows go to ``raw.rejected_rows`` with row number, field and a reason;
the good rows of the same file still load."""

from __future__ import annotations

import pytest

from dagster_project.ingest.loader import ingest_paths

ATTENDANCE_HEADER = (
    "tenant_id,event_id,staff_id,location_id,role,clock_in,clock_out,break_minutes,updated_at"
)
GOOD_SHIFT = "2026-03-02T09:00:00-06:00,2026-03-02T17:00:00-06:00,0,2026-03-02T23:00:00Z"


def _rejections(query, kind):
    return query(
        "select source_row, field, reason, tenant_id, record_id, staff_id "
        "from raw.rejected_rows where file_kind = %s order by source_row",
        (kind,),
    )


def test_ingest_attendance_bad_rows_rejected_good_rows_loaded(database_url, write_csv, query):
    path = write_csv(
        "attendance.csv",
        ATTENDANCE_HEADER,
        f"acme,E1,S1,AUS,cook,{GOOD_SHIFT}",
        "acme,E2,S1,AUS,cook,2026-03-02 9am,2026-03-02T17:00:00-06:00,0,2026-03-02T23:00:00Z",
        f"acme,E3,,AUS,cook,{GOOD_SHIFT}",
        "acme,E4,S1,AUS,cook,2026-03-02T09:00:00-06:00,2026-03-02T17:00:00-06:00,-15,"
        "2026-03-02T23:00:00Z",
        f"acme,E5,S2,AUS,cook,{GOOD_SHIFT}",
    )

    [result] = ingest_paths(database_url, [path]).files

    assert (result.received, result.loaded, result.rejected) == (5, 2, 3)
    assert query("select event_id from raw.attendance order by 1") == [("E1",), ("E5",)]
    rows = _rejections(query, "attendance")
    assert [row[:2] for row in rows] == [(3, "clock_in"), (4, "staff_id"), (5, "break_minutes")]
    assert rows[0][2] == "clock_in: not an ISO 8601 timestamp with offset"
    assert [row[3:] for row in rows] == [
        ("acme", "E2", "S1"),
        ("acme", "E3", None),
        ("acme", "E4", "S1"),
    ]
    assert query("select rows_received, rows_loaded, rows_rejected from raw.ingested_files") == [
        (5, 2, 3)
    ]


@pytest.mark.parametrize(
    "clock_in",
    [
        "2026-03-02T09:00:00",  # no offset
        "2026-02-30T09:00:00Z",  # no such day
        "2025-02-29T09:00:00Z",  # not a leap year
        "2026-13-01T09:00:00Z",
        "2026-03-02T24:00:00Z",
        "2026-03-02T09:60:00Z",
        "2026-03-02T09:00:61Z",
        "2026-03-02T09:00:00+15:00",
        "2026-03-02T09:00:00+05:99",
        "02/03/2026 09:00",
        "1772442000",
        "tomorrow",
    ],
)
def test_ingest_attendance_timestamp_never_raises_a_cast_error(
    database_url, write_csv, query, clock_in
):
    path = write_csv(
        "attendance.csv",
        ATTENDANCE_HEADER,
        f"acme,E1,S1,AUS,cook,{clock_in},,0,2026-03-02T23:00:00Z",
        f"acme,E2,S1,AUS,cook,{GOOD_SHIFT}",
    )

    [result] = ingest_paths(database_url, [path]).files

    assert (result.loaded, result.rejected) == (1, 1)
    assert [row[:2] for row in _rejections(query, "attendance")] == [(2, "clock_in")]


@pytest.mark.parametrize(
    "clock_in, expected_utc",
    [
        ("2026-03-02T09:00:00Z", "2026-03-02 09:00:00+00"),
        ("2026-03-02T09:00-0800", "2026-03-02 17:00:00+00"),
        ("2026-03-02T09:00:00+05", "2026-03-02 04:00:00+00"),
        ("2026-03-02T09:00:00.5+05:30", "2026-03-02 03:30:00.5+00"),
        ("2028-02-29T09:00:00+14:00", "2028-02-28 19:00:00+00"),
    ],
)
def test_ingest_attendance_accepts_iso_offsets(
    database_url, write_csv, query, clock_in, expected_utc
):
    path = write_csv(
        "attendance.csv",
        ATTENDANCE_HEADER,
        f"acme,E1,S1,AUS,cook,{clock_in},,0,2026-03-02T23:00:00Z",
    )

    [result] = ingest_paths(database_url, [path]).files

    assert result.loaded == 1
    assert query("select clock_in::text from raw.attendance") == [(expected_utc,)]


def test_ingest_locations_bad_jurisdiction_and_timezone_rejected(database_url, write_csv, query):
    path = write_csv(
        "locations.csv",
        "tenant_id,location_id,name,timezone,jurisdiction",
        "acme,AUS,Austin,America/Chicago,TX",
        "acme,SFO,San Francisco,America/Los_Angeles,California",
        "acme,MOON,Moon Base,Moon/Tranquility,CA",
        "acme,NYC,New York,America/New_York,ny",
    )

    [result] = ingest_paths(database_url, [path]).files

    assert (result.received, result.loaded, result.rejected) == (4, 1, 3)
    assert query("select location_id from raw.locations") == [("AUS",)]
    rows = _rejections(query, "locations")
    assert [row[:2] for row in rows] == [(3, "jurisdiction"), (4, "timezone"), (5, "jurisdiction")]
    assert [row[3:5] for row in rows] == [("acme", "SFO"), ("acme", "MOON"), ("acme", "NYC")]


def test_ingest_staff_salaried_without_salary_rejected(database_url, write_csv, query):
    path = write_csv(
        "staff.csv",
        "tenant_id,staff_id,full_name,home_location_id,pay_type,annual_salary",
        "acme,S1,Ada Example,AUS,hourly,",
        "acme,S2,Bo Example,AUS,salaried,",
        "acme,S3,Cy Example,AUS,salaried,65000",
        "acme,S4,Di Example,AUS,hourly,65000",
        "acme,S5,Ed Example,AUS,contractor,",
    )

    [result] = ingest_paths(database_url, [path]).files

    assert (result.received, result.loaded, result.rejected) == (5, 2, 3)
    assert query("select staff_id from raw.staff order by 1") == [("S1",), ("S3",)]
    rows = _rejections(query, "staff")
    assert [row[:2] for row in rows] == [
        (3, "annual_salary"),
        (5, "annual_salary"),
        (6, "pay_type"),
    ]
    assert [row[3] for row in rows] == ["acme"] * 3
    assert [row[5] for row in rows] == ["S2", "S4", "S5"]


def test_ingest_reasons_never_carry_names_or_pay(database_url, write_csv, query):
    path = write_csv(
        "staff.csv",
        "tenant_id,staff_id,full_name,home_location_id,pay_type,annual_salary,hired_on",
        "acme,S1,Zelda Secretname,AUS,salaried,12x34.56,",
        "acme,S2,Yuri Hidden,AUS,hourly,,31/12/2025",
    )

    ingest_paths(database_url, [path])

    reasons = " ".join(row[2] for row in _rejections(query, "staff"))
    assert reasons
    for secret in ("Zelda", "Secretname", "Yuri", "12x34", "31/12"):
        assert secret not in reasons


@pytest.mark.parametrize(
    "kind, lines, field",
    [
        (
            "tenants",
            ("tenant_id,name,pay_frequency,period_anchor", "acme,Acme,weekly,"),
            "period_anchor",
        ),
        (
            "tenants",
            ("tenant_id,name,pay_frequency,pay_date_lag_days", "acme,Acme,monthly,-1"),
            "pay_date_lag_days",
        ),
        (
            "pay_rates",
            (
                "tenant_id,staff_id,role,hourly_rate,effective_from,effective_to",
                "acme,,cook,15.00,2026-02-01,2026-01-31",
            ),
            "effective_to",
        ),
        (
            "pay_rates",
            ("tenant_id,role,hourly_rate,effective_from", "acme,cook,fifteen,2026-01-01"),
            "hourly_rate",
        ),
        (
            "deductions",
            (
                "tenant_id,staff_id,kind,amount_per_period,effective_from",
                "acme,S1,roth,10.00,2026-01-01",
            ),
            "kind",
        ),
        (
            "adjustments",
            (
                "tenant_id,adjustment_id,staff_id,work_date,kind,amount",
                "acme,A1,S1,2026-02-30,bonus,10.00",
            ),
            "work_date",
        ),
        (
            "staff",
            (
                "tenant_id,staff_id,full_name,home_location_id,pay_type,flsa_exempt",
                "acme,S1,Ada,AUS,hourly,maybe",
            ),
            "flsa_exempt",
        ),
        (
            "ytd_opening",
            ("tenant_id,staff_id,tax_year", "acme,S1,1999"),
            "tax_year",
        ),
    ],
)
def test_ingest_small_file_rule_rejects_row_with_field(
    database_url, write_csv, query, count, kind, lines, field
):
    path = write_csv(f"{kind}.csv", *lines)

    [result] = ingest_paths(database_url, [path]).files

    assert (result.received, result.loaded, result.rejected) == (1, 0, 1)
    assert count(kind) == 0
    [row] = _rejections(query, kind)
    assert row[:2] == (2, field)
    assert row[2].startswith(f"{field}: ")


def test_the_quick_timestamp_check_accepts_exactly_what_the_full_check_does(database_url):
    """Every field at and past its limits: of the values in its shape (``Z`` or
    ``±HH:MM`` on a quarter hour), the quick check accepts what the full check
    accepts, but 29 February (left to the full check); nothing else."""
    from itertools import product

    import psycopg2

    from dagster_project.ingest import attendance

    quarter_hours = ("00", "15", "30", "45")

    fields = product(
        ("1899", "1900", "2024", "2025", "2100", "2199", "2200"),
        ("00", "01", "02", "04", "12", "13"),
        ("00", "01", "28", "29", "30", "31", "32"),
        ("00", "23", "24"),
        ("00", "59", "60"),
        ("00", "59", "60"),
        ("Z", "+00:00", "-14:45", "-14:59", "+15:00", "+05:60", "+0530", "z", ""),
    )
    values = [f"{y}-{mo}-{d}T{h}:{mi}:{s}{zone}" for y, mo, d, h, mi, s, zone in fields]
    conn = psycopg2.connect(database_url)
    with conn.cursor() as cur:
        quick_check = attendance._common_timestamp("v").replace("%", "%%")
        full_check = attendance._not_a_timestamp("v").replace("%", "%%")
        cur.execute(
            f"select {quick_check}, not {full_check}, v from unnest(%s::text[]) as v", (values,)
        )
        checked = cur.fetchall()
    conn.close()
    quick = {v for is_quick, _, v in checked if is_quick}
    full = {v for _, is_full, v in checked if is_full}
    in_quick_shape = {
        v for v in full if v[19:] == "Z" or (v[22:23] == ":" and v[-2:] in quarter_hours)
    }
    assert quick == {v for v in in_quick_shape if v[5:10] != "02-29"}
    # years in range, month-days that exist every year, hours, minutes, seconds, zones
    assert len(quick) == 5 * 16 * 2 * 2 * 2 * 3


@pytest.mark.parametrize(
    "tenant_id, event_id, role, rejected_field",
    [
        ("t" * 64, "E" * 128, "r" * 64, None),
        ("t" * 65, "E1", "cook", "tenant_id"),
        ("acme", "E" * 129, "cook", "event_id"),
        ("acme", "E1", "r" * 65, "role"),
        ("acme", "É1", "cook", "event_id"),
        ("acme", "E1", "cook é", "role"),
    ],
)
def test_ingest_attendance_ids_within_their_length_and_characters(
    database_url, write_csv, query, tenant_id, event_id, role, rejected_field
):
    path = write_csv(
        "attendance.csv",
        ATTENDANCE_HEADER,
        f"{tenant_id},{event_id},S1,AUS,{role},{GOOD_SHIFT}",
    )

    [result] = ingest_paths(database_url, [path]).files

    assert result.rejected == (0 if rejected_field is None else 1)
    assert [row[1] for row in _rejections(query, "attendance")] == (
        [] if rejected_field is None else [rejected_field]
    )
