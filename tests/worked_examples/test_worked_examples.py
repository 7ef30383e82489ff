"""Worked examples: CSV in, ``marts`` out, every figure checked by hand.

Each example is one staff member (or one tenant) whose input rows are declared
next to the hand computation of what the pipeline must pay, following the
rules of CONTRACT §4 and the 2026 tables in ``dbt_project/seeds``. Expected
values are literals worked out on paper (see the comments), never recomputed
by code, and asserted to the cent.

Two warehouses, built once for the module:

* ``warehouse`` — every example that needs no CLI behaviour: the CSVs are
  loaded with ``payroll ingest`` and then one ``dbt build`` of every period
  computes every tenant and every pay period at once (fast).
* ``cli_warehouse`` — year to date across computed periods: ``payroll run``
  of period 1 then period 2, then a correction to period 1 is ingested and
  only period 1 is rerun; the CLI must recompute period 2.

Conventions in the comments: "FIT" = federal income tax (Pub 15-T 2026,
Worksheet 1A, annual percentage method); SS = Social Security 6.2 %;
Medicare 1.45 %; FUTA 0.6 %; money is rounded half-up to cents once per
column.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg2
import pytest
from typer.testing import CliRunner

from dagster_project.cli import app
from tests.reference.contract import CONTRACT_COLUMNS

D = Decimal
DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"
DBT = str(Path(sys.executable).with_name("dbt"))

COLUMNS = {f"{kind}.csv": columns for kind, columns in CONTRACT_COLUMNS.items()}


# --------------------------------------------------------------------------- dataset builder


@dataclass
class Dataset:
    """Input rows by file name; shifts are given in the location's local time."""

    rows: dict[str, list[dict[str, object]]] = field(
        default_factory=lambda: {name: [] for name in COLUMNS}
    )
    timezones: dict[tuple[str, str], str] = field(default_factory=dict)
    events: int = 0

    def tenant(self, tenant_id, frequency, anchor="", workweek="sunday", lag=5):
        self.rows["tenants.csv"].append(
            {
                "tenant_id": tenant_id,
                "name": f"Tenant {tenant_id}",
                "pay_frequency": frequency,
                "period_anchor": anchor,
                "workweek_start": workweek,
                "pay_date_lag_days": lag,
            }
        )

    def location(self, tenant_id, location_id, timezone, jurisdiction):
        self.timezones[tenant_id, location_id] = timezone
        self.rows["locations.csv"].append(
            {
                "tenant_id": tenant_id,
                "location_id": location_id,
                "name": f"Location {location_id}",
                "timezone": timezone,
                "jurisdiction": jurisdiction,
            }
        )

    def staff(self, tenant_id, staff_id, home, **overrides):
        row = {
            "tenant_id": tenant_id,
            "staff_id": staff_id,
            "full_name": f"Example {staff_id}",
            "home_location_id": home,
            "pay_type": "hourly",
            "flsa_exempt": "false",
            "annual_salary": "",
            "filing_status": "single",
            "w4_step2": "false",
            "w4_dependents": "0",
            "w4_other_income": "0",
            "w4_deductions": "0",
            "w4_extra_withholding": "0",
            "hired_on": "2025-01-06",
            "terminated_on": "",
        }
        row.update(overrides)
        self.rows["staff.csv"].append(row)

    def rate(self, tenant_id, staff_id, role, hourly_rate, start="2026-01-01", end=""):
        self.rows["pay_rates.csv"].append(
            {
                "tenant_id": tenant_id,
                "staff_id": staff_id,
                "role": role,
                "hourly_rate": hourly_rate,
                "effective_from": start,
                "effective_to": end,
            }
        )

    def punch(self, tenant_id, staff_id, location_id, role, clock_in, clock_out, brk=0):
        """A shift with explicit ISO 8601 timestamps (offsets as written)."""
        self.events += 1
        event_id = f"{tenant_id.upper()}{self.events:04d}"
        updated = dt.datetime.fromisoformat(clock_out) + dt.timedelta(hours=1)
        self.rows["attendance.csv"].append(
            {
                "tenant_id": tenant_id,
                "event_id": event_id,
                "staff_id": staff_id,
                "location_id": location_id,
                "role": role,
                "clock_in": clock_in,
                "clock_out": clock_out,
                "break_minutes": brk,
                "updated_at": updated.isoformat(),
            }
        )
        return event_id

    def shift(self, tenant_id, staff_id, location_id, role, day, start, hours, brk=0):
        """``hours`` of real elapsed time from local ``day start`` at the location."""
        zone = ZoneInfo(self.timezones[tenant_id, location_id])
        clock_in = dt.datetime.fromisoformat(f"{day}T{start}").replace(tzinfo=zone)
        clock_out = (clock_in.astimezone(dt.UTC) + dt.timedelta(hours=hours)).astimezone(zone)
        return self.punch(
            tenant_id,
            staff_id,
            location_id,
            role,
            clock_in.isoformat(),
            clock_out.isoformat(),
            brk,
        )

    def week(self, tenant_id, staff_id, location_id, role, hours_by_day, start="08:00"):
        """One shift per (date, hours) pair, each starting at ``start``."""
        for day, hours in hours_by_day:
            self.shift(tenant_id, staff_id, location_id, role, day, start, hours)

    def adjustment(self, tenant_id, adjustment_id, staff_id, work_date, kind, amount):
        self.rows["adjustments.csv"].append(
            {
                "tenant_id": tenant_id,
                "adjustment_id": adjustment_id,
                "staff_id": staff_id,
                "work_date": work_date,
                "kind": kind,
                "amount": amount,
            }
        )

    def deduction(self, tenant_id, staff_id, kind, amount, start="2026-01-01", end=""):
        self.rows["deductions.csv"].append(
            {
                "tenant_id": tenant_id,
                "staff_id": staff_id,
                "kind": kind,
                "amount_per_period": amount,
                "effective_from": start,
                "effective_to": end,
            }
        )

    def ytd_opening(self, tenant_id, staff_id, gross, ss, medicare, futa, sdi="0"):
        self.rows["ytd_opening.csv"].append(
            {
                "tenant_id": tenant_id,
                "staff_id": staff_id,
                "tax_year": 2026,
                "gross_wages": gross,
                "social_security_wages": ss,
                "medicare_wages": medicare,
                "futa_wages": futa,
                "sdi_wages": sdi,
            }
        )

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, rows in self.rows.items():
            if not rows:
                continue
            with (folder / name).open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=COLUMNS[name], lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
        return folder


def days(first: str, count: int) -> list[str]:
    start = dt.date.fromisoformat(first)
    return [(start + dt.timedelta(days=n)).isoformat() for n in range(count)]


# The week of Sunday 2026-03-01 (standard time everywhere; DST starts 2026-03-08).
SUN, MON, TUE, WED, THU, FRI, SAT = days("2026-03-01", 7)

WORKED = Dataset()

# ---- tenant "wk": weekly, periods and workweeks start on Sunday, anchor 2026-03-01,
# pay date = period end + 6. Period 2026-03-01..2026-03-07 is paid 2026-03-13.
WORKED.tenant("wk", "weekly", "2026-03-01", "sunday", 6)
WORKED.location("wk", "LA", "America/Los_Angeles", "CA")
WORKED.location("wk", "AUS", "America/Chicago", "TX")
WORKED.location("wk", "ANC", "America/Anchorage", "AK")
WORKED.location("wk", "LV", "America/Los_Angeles", "NV")
WORKED.location("wk", "DEN", "America/Denver", "CO")
WORKED.rate("wk", "", "cook", "15.00")  # role defaults of the tenant
WORKED.rate("wk", "", "dishwasher", "9.00")

# CA1 — California daily, double-time and weekly overtime together.
WORKED.staff("wk", "CA1", "LA")
WORKED.rate("wk", "CA1", "server", "20.00")
WORKED.week("wk", "CA1", "LA", "server", [(SUN, 10), (TUE, 8), (WED, 8), (THU, 8), (FRI, 6)])
WORKED.shift("wk", "CA1", "LA", "server", MON, "06:00", 13)

# TX1 — Texas follows the FLSA only: four 10-hour days are 40 hours, no overtime.
WORKED.staff("wk", "TX1", "AUS")
WORKED.rate("wk", "TX1", "server", "20.00")
WORKED.week("wk", "TX1", "AUS", "server", [(MON, 10), (TUE, 10), (WED, 10), (THU, 10)])

# CA7 — California seventh consecutive day in the workweek.
WORKED.staff("wk", "CA7", "LA")
WORKED.rate("wk", "CA7", "server", "20.00")
WORKED.week(
    "wk",
    "CA7",
    "LA",
    "server",
    [(SUN, 7), (MON, 7), (TUE, 7), (WED, 7), (THU, 7), (FRI, 7), (SAT, 9)],
)

# CA12 — California: one 14-hour day.
WORKED.staff("wk", "CA12", "LA")
WORKED.rate("wk", "CA12", "server", "20.00")
WORKED.shift("wk", "CA12", "LA", "server", MON, "06:00", 14)

# AK1, AK2 — Alaska daily overtime over 8 hours.
for staff_id, week in (
    ("AK1", [(MON, 10), (TUE, 10), (WED, 10), (THU, 10)]),
    ("AK2", [(d, 9) for d in (MON, TUE, WED, THU, FRI, SAT)]),
):
    WORKED.staff("wk", staff_id, "ANC")
    WORKED.rate("wk", staff_id, "server", "20.00")
    WORKED.week("wk", staff_id, "ANC", "server", week)

# NV17, NV20 — Nevada daily overtime only below 1.5 x the NV minimum wage ($18.00).
for staff_id, rate in (("NV17", "17.00"), ("NV20", "20.00")):
    WORKED.staff("wk", staff_id, "LV")
    WORKED.rate("wk", staff_id, "server", rate)
    WORKED.week("wk", staff_id, "LV", "server", [(MON, 10), (TUE, 10), (WED, 10), (THU, 10)])

# TXCA — one Monday in two states: 9 h in Texas, then 1 h in California.
WORKED.staff("wk", "TXCA", "AUS")
WORKED.rate("wk", "TXCA", "server", "20.00")
WORKED.shift("wk", "TXCA", "AUS", "server", MON, "06:00", 9)
WORKED.shift("wk", "TXCA", "LA", "server", MON, "18:00", 1)

# TXCA5 — a tie: 5 h in Texas (06:00 Central), then 5 h in California (12:00 Pacific).
WORKED.staff("wk", "TXCA5", "AUS")
WORKED.rate("wk", "TXCA5", "server", "20.00")
WORKED.shift("wk", "TXCA5", "AUS", "server", MON, "06:00", 5)
WORKED.shift("wk", "TXCA5", "LA", "server", MON, "12:00", 5)

# CAN — California night shift: the workday is the local calendar date of each part.
WORKED.staff("wk", "CAN", "LA")
WORKED.rate("wk", "CAN", "server", "20.00")
WORKED.shift("wk", "CAN", "LA", "server", MON, "16:00", 14)

# NVM — Nevada, two roles: the daily rule follows each shift's own rate.
WORKED.staff("wk", "NVM", "LV")
WORKED.rate("wk", "NVM", "cook", "17.00")
WORKED.rate("wk", "NVM", "host", "20.00")
WORKED.shift("wk", "NVM", "LV", "cook", MON, "08:00", 10)
WORKED.shift("wk", "NVM", "LV", "host", TUE, "08:00", 10)

# CO12, COW — Colorado: over 12 hours a day, or over 40 a week.
WORKED.staff("wk", "CO12", "DEN")
WORKED.rate("wk", "CO12", "server", "20.00")
WORKED.shift("wk", "CO12", "DEN", "server", MON, "06:00", 14)
WORKED.shift("wk", "CO12", "DEN", "server", TUE, "08:00", 8)
WORKED.staff("wk", "COW", "DEN")
WORKED.rate("wk", "COW", "server", "20.00")
WORKED.week("wk", "COW", "DEN", "server", [(d, 9) for d in (MON, TUE, WED, THU, FRI)])

# FLSA1..FLSA4 — the FLSA regular rate (Texas, no state overtime, no state tax).
FLSA_46_HOURS = [(MON, 8), (TUE, 8), (WED, 8), (THU, 8), (FRI, 8), (SAT, 6)]
for staff_id in ("FLSA1", "FLSA2", "FLSA4"):
    WORKED.staff("wk", staff_id, "AUS")
    WORKED.rate("wk", staff_id, "cook", "12.00")
    WORKED.week("wk", staff_id, "AUS", "cook", FLSA_46_HOURS)
WORKED.adjustment("wk", "ADJ-FLSA2", "FLSA2", WED, "bonus", "46.00")
WORKED.adjustment("wk", "ADJ-FLSA4", "FLSA4", WED, "discretionary_bonus", "46.00")
WORKED.staff("wk", "FLSA3", "AUS")  # no rate of their own: role defaults apply
WORKED.week("wk", "FLSA3", "AUS", "cook", [(d, 8) for d in (MON, TUE, WED, THU, FRI)])
WORKED.shift("wk", "FLSA3", "AUS", "dishwasher", SAT, "08:00", 8)

# SSR — a staff-specific rate beats the role default (for that role only).
WORKED.staff("wk", "SSR", "AUS")
WORKED.rate("wk", "SSR", "cook", "18.00")
WORKED.shift("wk", "SSR", "AUS", "cook", MON, "08:00", 8)
WORKED.shift("wk", "SSR", "AUS", "dishwasher", TUE, "08:00", 4)

# RC1 — a raise from Wednesday: two rates weighted into one regular rate.
WORKED.staff("wk", "RC1", "AUS")
WORKED.rate("wk", "RC1", "server", "10.00", "2026-01-01", TUE)
WORKED.rate("wk", "RC1", "server", "16.00", WED)
WORKED.week("wk", "RC1", "AUS", "server", [(d, 9) for d in (MON, TUE, WED, THU, FRI)])

# EX1 — FLSA-exempt hourly staff in California: no overtime of any kind.
WORKED.staff("wk", "EX1", "LA", flsa_exempt="true")
WORKED.rate("wk", "EX1", "server", "20.00")
WORKED.week("wk", "EX1", "LA", "server", [(MON, 10), (TUE, 10), (WED, 10), (THU, 10), (FRI, 6)])

# CAD — California taxes with a 401(k) and a section 125 deduction.
WORKED.staff("wk", "CAD", "LA")
WORKED.rate("wk", "CAD", "server", "25.00")
WORKED.week("wk", "CAD", "LA", "server", [(d, 8) for d in (MON, TUE, WED, THU, FRI)])
WORKED.deduction("wk", "CAD", "retirement_401k", "100.00")
WORKED.deduction("wk", "CAD", "section_125", "50.00")

# MR1 — one shift in a role with no rate at all (no default, no own rate).
WORKED.staff("wk", "MR1", "AUS")
WORKED.shift("wk", "MR1", "AUS", "cook", MON, "08:00", 8)
MR1_BARTENDER_EVENT = WORKED.shift("wk", "MR1", "AUS", "bartender", TUE, "18:00", 6)

# MID1, MID2 — a night shift across midnight (and across a workweek/period boundary:
# Saturday 2026-02-28 is the last day of period 2026-02-22; Sunday 03-01 starts the next).
for staff_id, break_minutes in (("MID1", 150), ("MID2", 300)):
    WORKED.staff("wk", staff_id, "AUS")
    WORKED.rate("wk", staff_id, "server", "20.00")
    WORKED.punch(
        "wk",
        staff_id,
        "AUS",
        "server",
        "2026-02-28T20:00:00-06:00",
        "2026-03-01T04:00:00-06:00",
        break_minutes,
    )

# SPF1 — the spring-forward night in Los Angeles (02:00 PST -> 03:00 PDT on 2026-03-08).
WORKED.staff("wk", "SPF1", "LA")
WORKED.rate("wk", "SPF1", "server", "20.00")
WORKED.punch("wk", "SPF1", "LA", "server", "2026-03-07T22:00:00-08:00", "2026-03-08T06:00:00-07:00")

# DST1 — the fall-back night in Los Angeles (02:00 PDT -> 01:00 PST on 2026-11-01).
WORKED.staff("wk", "DST1", "LA")
WORKED.rate("wk", "DST1", "server", "20.00")
WORKED.punch("wk", "DST1", "LA", "server", "2026-10-31T22:00:00-07:00", "2026-11-01T06:00:00-08:00")

# ---- tenant "bw": biweekly from anchor Sunday 2026-03-01, Miami (Florida: no income
# tax), pay date = period end + 4. Period 2026-03-01..2026-03-14 is paid 2026-03-18.
# Every hourly staff member works 10 x 8 h at the server default of $18.75 = 1,500.00.
WORKED.tenant("bw", "biweekly", "2026-03-01", "sunday", 4)
WORKED.location("bw", "MIA", "America/New_York", "FL")
WORKED.rate("bw", "", "server", "18.75")
BW_80_HOURS = [(d, 8) for d in days("2026-03-02", 5) + days("2026-03-09", 5)]
BW_STAFF = {
    "BW1": {},
    "BW2": {"w4_step2": "true"},
    "BW3": {"filing_status": "married_jointly"},
    "BW4": {"filing_status": "head_of_household"},
    "BW5": {"w4_dependents": "2000.00"},
    "BW6": {"w4_other_income": "5200.00"},
    "BW7": {"w4_deductions": "5200.00"},
    "BW8": {"w4_extra_withholding": "25.00"},
    "BW9": {},
    "BW10": {},
    "BW11": {},
    "BW12": {},
}
for staff_id, w4 in BW_STAFF.items():
    WORKED.staff("bw", staff_id, "MIA", **w4)
    WORKED.week("bw", staff_id, "MIA", "server", BW_80_HOURS, start="10:00")
WORKED.deduction("bw", "BW9", "retirement_401k", "100.00")
WORKED.deduction("bw", "BW9", "section_125", "50.00")
# in effect from the period's last day (2026-03-14): deducted
WORKED.deduction("bw", "BW9", "post_tax", "30.00", "2026-03-14")
# ended the day before the period's last day: not in effect, not deducted
WORKED.deduction("bw", "BW9", "post_tax", "999.00", "2026-01-01", "2026-03-13")
WORKED.ytd_opening("bw", "BW10", "184000.00", "184000.00", "184000.00", "7000.00")
WORKED.ytd_opening("bw", "BW11", "199000.00", "184500.00", "199000.00", "7000.00")
WORKED.ytd_opening("bw", "BW12", "6000.00", "6000.00", "6000.00", "6000.00")
WORKED.staff("bw", "BWS", "MIA", pay_type="salaried", annual_salary="39000.00")

# ---- tenant "sm": semimonthly (1st-15th, 16th-end), workweeks start on Monday,
# Austin TX, pay date = period end + 5.
WORKED.tenant("sm", "semimonthly", "", "monday", 5)
WORKED.location("sm", "AUS", "America/Chicago", "TX")
WORKED.staff("sm", "SM1", "AUS")
WORKED.rate("sm", "SM1", "cook", "12.00")
WORKED.week(
    "sm",
    "SM1",
    "AUS",
    "cook",
    [(d, 8) for d in days("2026-04-13", 5)] + [("2026-04-18", 6)],
    start="09:00",
)
WORKED.staff("sm", "SMS", "AUS", pay_type="salaried", annual_salary="52000.00")

# ---- tenant "mo": monthly, Austin TX, pay date = period end + 3.
WORKED.tenant("mo", "monthly", "", "sunday", 3)
WORKED.location("mo", "AUS", "America/Chicago", "TX")
WORKED.staff(
    "mo", "SAL1", "AUS", pay_type="salaried", annual_salary="60000.00", hired_on="2026-03-11"
)
WORKED.shift("mo", "SAL1", "AUS", "manager", "2026-03-12", "09:00", 8)  # no rate needed
WORKED.staff(
    "mo",
    "SAL2",
    "AUS",
    pay_type="salaried",
    annual_salary="60000.00",
    filing_status="married_jointly",
)
WORKED.staff(
    "mo", "SAL3", "AUS", pay_type="salaried", annual_salary="60000.00", terminated_on="2026-03-20"
)


# ---- the CLI warehouse: tenant "yt", weekly from Sunday 2026-03-01, Austin TX.
YTD = Dataset()
YTD.tenant("yt", "weekly", "2026-03-01", "sunday", 5)
YTD.location("yt", "AUS", "America/Chicago", "TX")
YTD.rate("yt", "", "server", "150.00")
YT_FRIDAY_EVENTS: dict[str, str] = {}
for staff_id in ("YT1", "YT2"):
    YTD.staff("yt", staff_id, "AUS")
    for day in days("2026-03-02", 4) + days("2026-03-09", 5):
        YTD.shift("yt", staff_id, "AUS", "server", day, "09:00", 8)
    YT_FRIDAY_EVENTS[staff_id] = YTD.shift("yt", staff_id, "AUS", "server", FRI, "09:00", 8)
YTD.ytd_opening("yt", "YT2", "175000.00", "175000.00", "175000.00", "7000.00")


def correction_of_period_1() -> Dataset:
    """Friday 2026-03-06 of YT1 and YT2 was 4 hours, not 8 (a newer row)."""
    fix = Dataset()
    for row in YTD.rows["attendance.csv"]:
        if row["event_id"] in YT_FRIDAY_EVENTS.values():
            fix.rows["attendance.csv"].append(
                {
                    **row,
                    "clock_out": "2026-03-06T13:00:00-06:00",
                    "updated_at": "2026-03-20T12:00:00+00:00",
                }
            )
    return fix


# --------------------------------------------------------------------------- fixtures


def _isolated_env(url: str, home: Path) -> pytest.MonkeyPatch:
    """Point the CLI at ``url``; every variable touched is restored on undo."""
    from dagster_project.lib.instance import STORAGE_URL_ENV
    from dagster_project.settings import get_settings

    patch = pytest.MonkeyPatch()
    patch.setenv("PAYROLL_DATABASE_URL", url)
    patch.setenv("PAYROLL_HOME", str(home))
    patch.delenv("PAYROLL_DAGSTER_DATABASE_URL", raising=False)
    patch.delenv("DAGSTER_HOME", raising=False)
    patch.delenv(STORAGE_URL_ENV, raising=False)
    get_settings.cache_clear()
    return patch


def _restore(patch: pytest.MonkeyPatch) -> None:
    from dagster_project.settings import get_settings

    patch.undo()
    get_settings.cache_clear()


def _cli(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def build_with_dbt(
    url: str, target: Path, selectors: tuple[str, ...], exclude: tuple[str, ...]
) -> None:
    """One ``dbt build`` of ``selectors`` (every period: nothing selected)."""
    from dagster_project.lib.database import dbt_env

    result = subprocess.run(
        [
            DBT,
            "build",
            "--exclude-resource-type",
            *exclude,
            "--select",
            *selectors,
            # as the pipeline builds (defs/dbt/args.py): a test runs when all
            # its models are built, not a payday mart's test beside them
            "--indirect-selection",
            "buildable",
            "--project-dir",
            str(DBT_PROJECT),
            "--profiles-dir",
            str(DBT_PROJECT),
            "--target-path",
            str(target),
        ],
        env={**os.environ, **dbt_env(url), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:]


@pytest.fixture(scope="module")
def warehouse(make_database, tmp_path_factory) -> Iterator[str]:
    """Every worked example ingested by the CLI, then computed by one ``dbt
    build`` of the seeds and models (every period: nothing selected)."""
    url = make_database("worked_examples")
    tmp = tmp_path_factory.mktemp("worked_examples")
    patch = _isolated_env(url, tmp / "home")
    try:
        _cli(CliRunner(), "ingest", str(WORKED.write(tmp / "input")))
    finally:
        _restore(patch)
    build_with_dbt(
        url,
        tmp / "dbt_target",
        ("+fct_payroll", "+fct_workweek_hours", "+fct_attendance_exceptions"),
        exclude=("test", "unit_test"),
    )
    yield url


@dataclass(frozen=True)
class YtdRuns:
    url: str
    before: dict[tuple[str, str], dict[str, object]]  # after run P1, run P2
    after: dict[tuple[str, str], dict[str, object]]  # after correction + rerun of P1 only
    rerun_output: str


@pytest.fixture(scope="module")
def cli_warehouse(make_database, tmp_path_factory) -> Iterator[YtdRuns]:
    url = make_database("worked_examples_ytd")
    tmp = tmp_path_factory.mktemp("worked_examples_ytd")
    patch = _isolated_env(url, tmp / "home")
    runner = CliRunner()
    try:
        _cli(runner, "ingest", str(YTD.write(tmp / "input")))
        _cli(runner, "run", "--period", "2026-03-01", "--tenant", "yt")
        _cli(runner, "run", "--period", "2026-03-08", "--tenant", "yt")
        before = _all_payroll(url, "yt")
        _cli(runner, "ingest", str(correction_of_period_1().write(tmp / "correction")))
        rerun_output = _cli(runner, "run", "--period", "2026-03-01", "--tenant", "yt")
        after = _all_payroll(url, "yt")
    finally:
        _restore(patch)
    yield YtdRuns(url, before, after, rerun_output)


# --------------------------------------------------------------------------- helpers


def _query(url: str, sql: str, params: tuple = ()) -> list[dict[str, object]]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            names = [c.name for c in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    finally:
        conn.close()


def _all_payroll(url: str, tenant: str) -> dict[tuple[str, str], dict[str, object]]:
    rows = _query(url, "select * from marts.fct_payroll where tenant_id = %s", (tenant,))
    return {(str(r["staff_id"]), r["period_start"].isoformat()): r for r in rows}


def payroll(url: str, tenant: str, staff: str, period: str) -> dict[str, object]:
    rows = _query(
        url,
        "select * from build.fct_payroll "
        "where tenant_id = %s and staff_id = %s and period_start = %s",
        (tenant, staff, period),
    )
    assert len(rows) == 1, f"{tenant}/{staff}/{period}: {len(rows)} fct_payroll rows"
    return rows[0]


def workweek(url: str, tenant: str, staff: str, week_start: str) -> dict[str, object]:
    rows = _query(
        url,
        "select * from build.fct_workweek_hours "
        "where tenant_id = %s and staff_id = %s and workweek_start = %s",
        (tenant, staff, week_start),
    )
    assert len(rows) == 1, f"{tenant}/{staff}/{week_start}: {len(rows)} fct_workweek_hours rows"
    return rows[0]


def check(row: dict[str, object], **expected: str) -> None:
    """Every expected column at once; numbers compared as exact decimals."""
    wrong = {}
    for column, value in expected.items():
        actual = row[column]
        if isinstance(actual, dt.date):
            ok = actual.isoformat() == value
        else:
            ok = actual is not None and D(actual) == D(value)
        if not ok:
            wrong[column] = f"expected {value}, got {actual}"
    assert not wrong, wrong


def check_identities(row: dict[str, object]) -> None:
    """CONTRACT §6's identities (§5's when no §6 rule applies: its columns are 0)."""
    assert row["gross_pay"] == (
        row["salary_pay"]
        + row["straight_time_pay"]
        + row["overtime_premium_pay"]
        + row["bonus_pay"]
        + row["minimum_wage_makeup_pay"]
        + row["premium_pay"]
        + row["card_tips_pay"]
        + row["cash_tips_reported"]
    )
    assert row["net_pay"] == (
        row["gross_pay"]
        - row["cash_tips_reported"]
        - row["retirement_401k"]
        - row["section_125"]
        - row["federal_income_tax"]
        - row["social_security_tax"]
        - row["medicare_tax"]
        - row["state_income_tax"]
        - row["state_disability_tax"]
        - row["post_tax_deductions"]
    )


WK = "2026-03-01"  # the weekly period (and workweek) of Sunday 2026-03-01
BW = "2026-03-01"  # the biweekly period 2026-03-01..2026-03-14


# --------------------------------------------------------------------------- mandatory examples


def test_ca_daily_double_time_and_weekly_overtime(warehouse):
    # CA, $20.00, Sun 10 h, Mon 13 h, Tue-Thu 8 h, Fri 6 h = 53 h in one workweek.
    # Daily: Sun 2 h OT (8-10); Mon 4 h OT (8-12) + 1 h DT (12-13) -> 6 h OT, 1 h DT.
    # Weekly: hours that are not daily OT/DT = 53 - 6 - 1 = 46 -> 6 h over 40 (Friday).
    # OT = 6 + 6 = 12 h, DT = 1 h. Regular rate = 53 x 20 / 53 = 20.00.
    # Straight time 53 x 20 = 1,060.00; premium 0.5 x 20 x 12 + 1.0 x 20 x 1 = 140.00.
    # CONTRACT §6: Sun-Thu are CA days over 6 h without a meal break: 5 meal
    # premiums of one hour at the regular rate, 5 x 20 = 100.00 (Fri, 6 h, none).
    # Gross 1,060 + 140 + 100 = 1,300.00.
    # FIT: 1,300 x 52 = 67,600 - 8,600 = 59,000; 5,800 + (59,000 - 57,900) x 22 % = 6,042;
    #      / 52 = 116.1923 -> 116.19.  SS 80.60, Medicare 18.85.
    # CA state approximation 4 % x 1,300 = 52.00; CA SDI 1.3 % x 1,300 = 16.90.
    # Net 1,300 - 116.19 - 80.60 - 18.85 - 52.00 - 16.90 = 1,015.46. FUTA 0.6 % = 7.80.
    row = payroll(warehouse, "wk", "CA1", WK)
    check(
        row,
        period_end="2026-03-07",
        pay_date="2026-03-13",
        hours_worked="53",
        overtime_hours="12",
        double_time_hours="1",
        straight_time_pay="1060.00",
        overtime_premium_pay="140.00",
        premium_pay="100.00",
        gross_pay="1300.00",
        federal_income_tax="116.19",
        social_security_tax="80.60",
        medicare_tax="18.85",
        state_income_tax="52.00",
        state_disability_tax="16.90",
        net_pay="1015.46",
        employer_social_security_tax="80.60",
        employer_medicare_tax="18.85",
        futa_tax="7.80",
    )
    check_identities(row)
    check(
        workweek(warehouse, "wk", "CA1", WK),
        hours_worked="53",
        overtime_hours="12",
        double_time_hours="1",
        regular_rate="20",
        overtime_premium_pay="140.00",
        period_start=WK,
    )


def test_tx_four_ten_hour_days_are_not_overtime(warehouse):
    # TX, $20.00, Mon-Thu 10 h = 40 h: Texas has no daily rule, FLSA OT is over 40 only.
    # Gross 40 x 20 = 800.00.
    # FIT: 800 x 52 = 41,600 - 8,600 = 33,000; 1,240 + 13,100 x 12 % = 2,812; / 52 = 54.08.
    # SS 49.60, Medicare 11.60, Texas income tax 0, SDI 0. Net 684.72.
    row = payroll(warehouse, "wk", "TX1", WK)
    check(
        row,
        hours_worked="40",
        overtime_hours="0",
        double_time_hours="0",
        straight_time_pay="800.00",
        overtime_premium_pay="0.00",
        gross_pay="800.00",
        federal_income_tax="54.08",
        social_security_tax="49.60",
        medicare_tax="11.60",
        state_income_tax="0.00",
        state_disability_tax="0.00",
        net_pay="684.72",
    )


def test_fall_back_night_is_nine_hours_split_at_midnight(warehouse):
    # 2026-10-31 22:00 PDT (05:00Z 11-01) -> 2026-11-01 06:00 PST (14:00Z) = 9 h real time.
    # Local midnight 2026-11-01 00:00 PDT = 07:00Z: 2 h on Sat 10-31, 7 h on Sun 11-01
    # (the repeated 01:00-02:00 hour counts). Sunday workweeks: 10-31 is the last day of
    # workweek/period 2026-10-25, 11-01 the first of 2026-11-01. $20: 40.00 and 140.00.
    # CONTRACT §6: 11-01 is a CA work date of 7 h (> 6) with no meal break: one
    # hour at the regular rate, 20.00, so the second period's gross is 160.00.
    check(
        payroll(warehouse, "wk", "DST1", "2026-10-25"),
        hours_worked="2",
        straight_time_pay="40.00",
        gross_pay="40.00",
    )
    check(
        payroll(warehouse, "wk", "DST1", "2026-11-01"),
        hours_worked="7",
        straight_time_pay="140.00",
        premium_pay="20.00",
        gross_pay="160.00",
    )
    check(workweek(warehouse, "wk", "DST1", "2026-10-25"), hours_worked="2", overtime_hours="0")
    check(workweek(warehouse, "wk", "DST1", "2026-11-01"), hours_worked="7", overtime_hours="0")


def test_semimonthly_workweek_straddling_the_15th(warehouse):
    # Monday workweek 2026-04-13..04-19, $12.00: Mon-Fri 8 h, Sat 6 h = 46 h.
    # Period 2026-04-01..04-15 holds Mon-Wed by work date: 24 h x 12 = 288.00, and no
    # overtime (the workweek ends 04-19, in the next period). Paid 04-15 + 5 = 04-20.
    # Period 2026-04-16..04-30: Thu, Fri, Sat = 22 h x 12 = 264.00 straight time, plus the
    # workweek's 6 h OT at regular rate 552 / 46 = 12.00: 0.5 x 12 x 6 = 36.00.
    # Gross 300.00, paid 04-30 + 5 = 05-05.
    check(
        payroll(warehouse, "sm", "SM1", "2026-04-01"),
        period_end="2026-04-15",
        pay_date="2026-04-20",
        hours_worked="24",
        overtime_hours="0",
        straight_time_pay="288.00",
        overtime_premium_pay="0.00",
        gross_pay="288.00",
    )
    check(
        payroll(warehouse, "sm", "SM1", "2026-04-16"),
        period_end="2026-04-30",
        pay_date="2026-05-05",
        hours_worked="22",
        overtime_hours="6",
        straight_time_pay="264.00",
        overtime_premium_pay="36.00",
        gross_pay="300.00",
    )
    check(
        workweek(warehouse, "sm", "SM1", "2026-04-13"),
        hours_worked="46",
        overtime_hours="6",
        straight_time_pay="552.00",
        regular_rate="12",
        overtime_premium_pay="36.00",
        period_start="2026-04-16",
    )


def test_social_security_wage_base_crossed_inside_the_period(warehouse):
    # Biweekly 1,500.00; ytd_opening Social Security wages 184,000.00: only
    # 184,500 - 184,000 = 500.00 is still taxable -> 6.2 % x 500 = 31.00 (employer too).
    # Medicare has no base: 1.45 % x 1,500 = 21.75 (YTD 185,500 < 200,000: no additional).
    # FUTA wages YTD 7,000.00 already: 0.00. FIT unaffected by YTD: 96.15.
    check(
        payroll(warehouse, "bw", "BW10", BW),
        gross_pay="1500.00",
        social_security_tax="31.00",
        employer_social_security_tax="31.00",
        medicare_tax="21.75",
        employer_medicare_tax="21.75",
        futa_tax="0.00",
        federal_income_tax="96.15",
    )


def test_flsa_overtime_at_the_regular_rate(warehouse):
    # TX, $12.00 x 46 h (Mon-Fri 8 h, Sat 6 h) = 552.00; 6 h over 40;
    # regular rate 552 / 46 = 12.00; premium 0.5 x 12 x 6 = 36.00; gross 588.00.
    # FIT: 588 x 52 = 30,576 - 8,600 = 21,976; 1,240 + 2,076 x 12 % = 1,489.12; / 52 = 28.64.
    # SS 6.2 % = 36.456 -> 36.46; Medicare 8.526 -> 8.53; net 588 - 73.63 = 514.37.
    # FUTA 0.6 % = 3.528 -> 3.53.
    row = payroll(warehouse, "wk", "FLSA1", WK)
    check(
        row,
        hours_worked="46",
        overtime_hours="6",
        straight_time_pay="552.00",
        overtime_premium_pay="36.00",
        bonus_pay="0.00",
        gross_pay="588.00",
        federal_income_tax="28.64",
        social_security_tax="36.46",
        medicare_tax="8.53",
        state_income_tax="0.00",
        net_pay="514.37",
        futa_tax="3.53",
    )
    check(workweek(warehouse, "wk", "FLSA1", WK), regular_rate="12")


def test_non_discretionary_bonus_raises_the_regular_rate(warehouse):
    # As FLSA1 plus a $46.00 non-discretionary bonus dated Wed 03-04 (in the workweek):
    # regular rate (552 + 46) / 46 = 13.00; premium 0.5 x 13 x 6 = 39.00;
    # gross 552 + 39 + 46 = 637.00.
    check(
        payroll(warehouse, "wk", "FLSA2", WK),
        straight_time_pay="552.00",
        bonus_pay="46.00",
        overtime_premium_pay="39.00",
        gross_pay="637.00",
    )
    check(workweek(warehouse, "wk", "FLSA2", WK), regular_rate="13", bonus_pay="46.00")


def test_two_roles_weight_the_regular_rate(warehouse):
    # Role defaults: cook 40 h x $15 = 600 (Mon-Fri), dishwasher 8 h x $9 = 72 (Sat).
    # 48 h, straight time 672.00; regular rate 672 / 48 = 14.00; 8 h OT;
    # premium 0.5 x 14 x 8 = 56.00; gross 728.00.
    check(
        payroll(warehouse, "wk", "FLSA3", WK),
        hours_worked="48",
        overtime_hours="8",
        straight_time_pay="672.00",
        overtime_premium_pay="56.00",
        gross_pay="728.00",
    )
    check(workweek(warehouse, "wk", "FLSA3", WK), regular_rate="14")


def test_biweekly_single_standard_withholding(warehouse):
    # Biweekly, 80 h x $18.75 = 1,500.00, single, standard, no adjustments (Florida).
    # FIT: 1,500 x 26 = 39,000 - 8,600 = 30,400; 1,240 + 10,500 x 12 % = 2,500; / 26 = 96.15.
    # SS 93.00; Medicare 21.75; state 0; net 1,500 - 96.15 - 93 - 21.75 = 1,289.10.
    # FUTA 0.6 % x 1,500 = 9.00. Period 03-01..03-14, pay date 03-14 + 4 = 03-18.
    row = payroll(warehouse, "bw", "BW1", BW)
    check(
        row,
        period_end="2026-03-14",
        pay_date="2026-03-18",
        hours_worked="80",
        overtime_hours="0",
        gross_pay="1500.00",
        federal_income_tax="96.15",
        social_security_tax="93.00",
        medicare_tax="21.75",
        state_income_tax="0.00",
        state_disability_tax="0.00",
        net_pay="1289.10",
        employer_social_security_tax="93.00",
        employer_medicare_tax="21.75",
        futa_tax="9.00",
    )
    check_identities(row)


def test_missing_rate_is_not_paid_and_is_an_exception(warehouse):
    # MR1: Mon cook 8 h at the $15.00 role default = 120.00 is paid; the Tue bartender
    # shift has no rate (no role default, no own rate): not paid, exception missing_rate.
    check(
        payroll(warehouse, "wk", "MR1", WK),
        hours_worked="8",
        straight_time_pay="120.00",
        gross_pay="120.00",
    )
    exceptions = _query(
        warehouse,
        "select event_id, reason_code from build.fct_attendance_exceptions "
        "where tenant_id = 'wk' and staff_id = 'MR1'",
    )
    assert exceptions == [{"event_id": MR1_BARTENDER_EVENT, "reason_code": "missing_rate"}]


# --------------------------------------------------------------------------- state overtime


def test_ca_seventh_consecutive_day(warehouse):
    # CA, $20.00, seven consecutive days of one workweek: Sun-Fri 7 h, Sat 9 h = 51 h.
    # Sun-Fri: no daily OT (7 <= 8). Seventh day: first 8 h at 1.5x (OT), the 9th h at 2x.
    # Weekly: hours not already daily OT = 42 (Sun-Fri) -> 2 h over 40.
    # OT 8 + 2 = 10 h, DT 1 h. Regular rate 20. Straight time 51 x 20 = 1,020.00;
    # premium 0.5 x 20 x 10 + 1.0 x 20 x 1 = 120.00.
    # CONTRACT §6: all seven days are over 6 h without a meal break: 7 meal
    # premiums at the regular rate, 7 x 20 = 140.00; gross 1,020 + 120 + 140 = 1,280.00.
    check(
        payroll(warehouse, "wk", "CA7", WK),
        hours_worked="51",
        overtime_hours="10",
        double_time_hours="1",
        straight_time_pay="1020.00",
        overtime_premium_pay="120.00",
        premium_pay="140.00",
        gross_pay="1280.00",
    )


def test_ca_over_twelve_hours_in_a_day(warehouse):
    # CA, $20.00, one 14 h day: 8 regular, 4 h OT (8-12), 2 h DT (12-14).
    # Straight time 280.00; premium 0.5 x 20 x 4 + 1.0 x 20 x 2 = 80.00.
    # CONTRACT §6: 14 h without a meal break: meal premium 1 x 20 = 20.00; gross 380.00.
    check(
        payroll(warehouse, "wk", "CA12", WK),
        hours_worked="14",
        overtime_hours="4",
        double_time_hours="2",
        straight_time_pay="280.00",
        overtime_premium_pay="80.00",
        premium_pay="20.00",
        gross_pay="380.00",
    )


def test_a_day_in_two_states_follows_the_state_where_most_time_fell(warehouse):
    # Monday: 9 h in Texas (06:00-15:00 Central), then 1 h in California
    # (18:00-19:00 Pacific) = 10 h on one work date. Most of it fell in Texas,
    # so the day follows Texas, which has no daily overtime (CA's rule would
    # make 2 h of it overtime); 10 h in the week is no weekly overtime either.
    # Straight time 10 x 20 = 200.00; premium 0; gross 200.00.
    check(
        payroll(warehouse, "wk", "TXCA", WK),
        hours_worked="10",
        overtime_hours="0",
        double_time_hours="0",
        straight_time_pay="200.00",
        overtime_premium_pay="0.00",
        gross_pay="200.00",
    )


def test_a_two_state_tie_follows_the_state_of_the_earliest_part(warehouse):
    # Monday: 5 h in Texas from 06:00 Central (04:00 Pacific), then 5 h in
    # California from 12:00 Pacific = 10 h, half in each: the tie goes to the
    # earliest part's state, Texas (CONTRACT §6), so no daily overtime
    # (California's rule would make 2 h of it overtime).
    # Straight time 10 x 20 = 200.00; premium 0; gross 200.00.
    check(
        payroll(warehouse, "wk", "TXCA5", WK),
        hours_worked="10",
        overtime_hours="0",
        double_time_hours="0",
        straight_time_pay="200.00",
        overtime_premium_pay="0.00",
        gross_pay="200.00",
    )


def test_ak_daily_overtime_over_eight_hours(warehouse):
    # AK, $20.00, Mon-Thu 10 h = 40 h: 2 h daily OT each day = 8 h (FLSA alone: 0).
    # Straight time 800.00; premium 0.5 x 20 x 8 = 80.00; gross 880.00. Alaska tax 0.
    check(
        payroll(warehouse, "wk", "AK1", WK),
        hours_worked="40",
        overtime_hours="8",
        double_time_hours="0",
        straight_time_pay="800.00",
        overtime_premium_pay="80.00",
        gross_pay="880.00",
        state_income_tax="0.00",
    )


def test_ak_daily_and_weekly_overtime_without_pyramiding(warehouse):
    # AK, $20.00, Mon-Sat 9 h = 54 h: daily OT 6 x 1 h = 6 h; hours not daily OT
    # = 48 -> weekly OT 8 h; total 14 h (not 6 + 14 = 20). Straight time 1,080.00;
    # premium 0.5 x 20 x 14 = 140.00; gross 1,220.00.
    check(
        payroll(warehouse, "wk", "AK2", WK),
        hours_worked="54",
        overtime_hours="14",
        straight_time_pay="1080.00",
        overtime_premium_pay="140.00",
        gross_pay="1220.00",
    )


def test_nv_daily_overtime_below_eighteen_dollars(warehouse):
    # NV, $17.00 (< 1.5 x $12.00 minimum wage = $18.00), Mon-Thu 10 h = 40 h:
    # daily OT 4 x 2 h = 8 h. Straight time 680.00; premium 0.5 x 17 x 8 = 68.00;
    # gross 748.00.
    check(
        payroll(warehouse, "wk", "NV17", WK),
        hours_worked="40",
        overtime_hours="8",
        straight_time_pay="680.00",
        overtime_premium_pay="68.00",
        gross_pay="748.00",
    )


def test_nv_no_daily_overtime_at_eighteen_dollars_or_more(warehouse):
    # NV, $20.00 (>= $18.00): same four 10 h days, no daily rule; 40 h -> no OT. 800.00.
    check(
        payroll(warehouse, "wk", "NV20", WK),
        hours_worked="40",
        overtime_hours="0",
        overtime_premium_pay="0.00",
        gross_pay="800.00",
    )


def test_ca_night_shift_daily_overtime_by_calendar_date(warehouse):
    # CA, $20.00, Mon 03-02 16:00 -> Tue 03-03 06:00 = 14 h, split at local midnight:
    # 8 h on Mon, 6 h on Tue. No work date has more than 8 h: no daily OT, no DT
    # (a 14 h "day" would have been 4 h OT + 2 h DT). Straight time 14 x 20 = 280.00.
    # CONTRACT §6: Monday's 8 h (> 6) have no meal break: one hour at the regular
    # rate, 20.00 (Tuesday's 6 h are not over 6); gross 300.00.
    check(
        payroll(warehouse, "wk", "CAN", WK),
        hours_worked="14",
        overtime_hours="0",
        double_time_hours="0",
        straight_time_pay="280.00",
        overtime_premium_pay="0.00",
        premium_pay="20.00",
        gross_pay="300.00",
    )


def test_nv_daily_rule_follows_the_rate_of_each_shift(warehouse):
    # NV: Mon cook 10 h at $17.00 (< $18: 2 h daily OT), Tue host 10 h at $20.00 (no daily
    # rule). 20 h, straight time 170 + 200 = 370.00; regular rate 370 / 20 = 18.50;
    # premium 0.5 x 18.50 x 2 = 18.50; gross 388.50.
    check(
        payroll(warehouse, "wk", "NVM", WK),
        hours_worked="20",
        overtime_hours="2",
        straight_time_pay="370.00",
        overtime_premium_pay="18.50",
        gross_pay="388.50",
    )
    check(workweek(warehouse, "wk", "NVM", WK), regular_rate="18.5")


def test_co_daily_overtime_over_twelve_hours(warehouse):
    # CO, $20.00: Mon 14 h, Tue 8 h = 22 h. Over 12 h in a day: 2 h OT (not 6 as in CA,
    # no double time). Straight time 440.00; premium 0.5 x 20 x 2 = 20.00; gross 460.00.
    check(
        payroll(warehouse, "wk", "CO12", WK),
        hours_worked="22",
        overtime_hours="2",
        double_time_hours="0",
        straight_time_pay="440.00",
        overtime_premium_pay="20.00",
        gross_pay="460.00",
    )


def test_co_weekly_overtime_and_state_tax(warehouse):
    # CO, $20.00, Mon-Fri 9 h = 45 h: no day over 12; 5 h over 40.
    # Straight time 900.00; premium 0.5 x 20 x 5 = 50.00; gross 950.00.
    # Colorado flat approximation 4.4 % x 950 = 41.80; no SDI.
    check(
        payroll(warehouse, "wk", "COW", WK),
        hours_worked="45",
        overtime_hours="5",
        straight_time_pay="900.00",
        overtime_premium_pay="50.00",
        gross_pay="950.00",
        state_income_tax="41.80",
        state_disability_tax="0.00",
    )


def test_exempt_hourly_staff_get_no_overtime(warehouse):
    # CA, exempt, $20.00: Mon-Thu 10 h, Fri 6 h = 46 h. Exempt: no daily, no weekly OT.
    # Straight time 920.00 = gross.
    check(
        payroll(warehouse, "wk", "EX1", WK),
        hours_worked="46",
        overtime_hours="0",
        double_time_hours="0",
        straight_time_pay="920.00",
        overtime_premium_pay="0.00",
        gross_pay="920.00",
    )


# --------------------------------------------------------------------------- time


def test_spring_forward_night_is_seven_hours(warehouse):
    # 2026-03-07 22:00 PST (06:00Z 03-08) -> 2026-03-08 06:00 PDT (13:00Z) = 7 h real time.
    # Local midnight 03-08 00:00 PST = 08:00Z: 2 h on Sat 03-07 (workweek/period 03-01),
    # 5 h on Sun 03-08 (workweek/period 03-08; 02:00-03:00 does not exist). $20.
    check(
        payroll(warehouse, "wk", "SPF1", "2026-03-01"),
        hours_worked="2",
        straight_time_pay="40.00",
    )
    check(
        payroll(warehouse, "wk", "SPF1", "2026-03-08"),
        hours_worked="5",
        straight_time_pay="100.00",
    )


def test_midnight_split_takes_the_break_off_the_first_part(warehouse):
    # TX, $20.00: 2026-02-28 20:00 -> 03-01 04:00 CST, 150 min break.
    # Parts: Sat 02-28 4 h, Sun 03-01 4 h. Break 2.5 h off the first part:
    # 02-28 1.5 h (period 2026-02-22, 30.00); 03-01 4 h (period 2026-03-01, 80.00).
    check(
        payroll(warehouse, "wk", "MID1", "2026-02-22"),
        hours_worked="1.5",
        straight_time_pay="30.00",
        gross_pay="30.00",
    )
    check(
        payroll(warehouse, "wk", "MID1", WK),
        hours_worked="4",
        straight_time_pay="80.00",
        gross_pay="80.00",
    )


def test_break_longer_than_the_first_part_continues_on_the_next(warehouse):
    # Same night, 300 min break: 4 h off Sat 02-28 (0 h left, nothing to pay in period
    # 2026-02-22), the remaining 1 h off Sun 03-01: 3 h x 20 = 60.00.
    check(
        payroll(warehouse, "wk", "MID2", WK),
        hours_worked="3",
        straight_time_pay="60.00",
        gross_pay="60.00",
    )
    assert not _query(
        warehouse,
        "select 1 from build.fct_payroll where tenant_id = 'wk' and staff_id = 'MID2' "
        "and period_start = '2026-02-22' and gross_pay <> 0",
    )


# --------------------------------------------------------------------------- rates and bonuses


def test_discretionary_bonus_stays_out_of_the_regular_rate(warehouse):
    # As FLSA1 plus a $46.00 discretionary bonus: regular rate stays 552 / 46 = 12.00,
    # premium 36.00; the bonus is still paid: gross 552 + 36 + 46 = 634.00.
    check(
        payroll(warehouse, "wk", "FLSA4", WK),
        bonus_pay="46.00",
        overtime_premium_pay="36.00",
        gross_pay="634.00",
    )
    check(workweek(warehouse, "wk", "FLSA4", WK), regular_rate="12", bonus_pay="0.00")


def test_mid_week_rate_change_is_weighted(warehouse):
    # $10.00 through Tue 03-03, $16.00 from Wed 03-04; Mon-Fri 9 h = 45 h.
    # Straight time 18 x 10 + 27 x 16 = 180 + 432 = 612.00; regular rate 612 / 45 = 13.60;
    # premium 0.5 x 13.60 x 5 = 34.00; gross 646.00.
    check(
        payroll(warehouse, "wk", "RC1", WK),
        hours_worked="45",
        overtime_hours="5",
        straight_time_pay="612.00",
        overtime_premium_pay="34.00",
        gross_pay="646.00",
    )
    check(workweek(warehouse, "wk", "RC1", WK), regular_rate="13.6")


def test_staff_specific_rate_beats_the_role_default(warehouse):
    # Cook: own rate $18.00 beats the $15.00 default: 8 h x 18 = 144.00.
    # Dishwasher: no own rate for that role, the $9.00 default: 4 h x 9 = 36.00.
    # Straight time 180.00.
    check(
        payroll(warehouse, "wk", "SSR", WK),
        hours_worked="12",
        straight_time_pay="180.00",
        gross_pay="180.00",
    )


# --------------------------------------------------------------------------- salaried, periods


def test_salaried_prorated_for_a_mid_period_hire(warehouse):
    # Monthly, $60,000 / 12 = 5,000.00 a month; hired Wed 2026-03-11: employed 03-11..03-31
    # = 21 of 31 calendar days -> 5,000 x 21 / 31 = 3,387.0968 -> 3,387.10.
    # The 8 h punch counts in hours_worked, earns nothing, needs no rate.
    # Period 03-01..03-31, pay date 03-31 + 3 = 04-03.
    check(
        payroll(warehouse, "mo", "SAL1", "2026-03-01"),
        period_end="2026-03-31",
        pay_date="2026-04-03",
        hours_worked="8",
        salary_pay="3387.10",
        straight_time_pay="0.00",
        overtime_premium_pay="0.00",
        gross_pay="3387.10",
    )
    assert not _query(
        warehouse,
        "select 1 from build.fct_attendance_exceptions where tenant_id = 'mo'",
    )


def test_salaried_prorated_for_a_termination(warehouse):
    # Terminated 2026-03-20: 20 of 31 days -> 5,000 x 20 / 31 = 3,225.8065 -> 3,225.81.
    check(
        payroll(warehouse, "mo", "SAL3", "2026-03-01"),
        salary_pay="3225.81",
        gross_pay="3225.81",
    )


def test_monthly_married_jointly_withholding(warehouse):
    # Monthly salary 5,000.00, married filing jointly, standard.
    # FIT: 5,000 x 12 = 60,000 - 12,900 = 47,100; bracket 44,100-120,100:
    # 2,480 + 3,000 x 12 % = 2,840; / 12 = 236.6667 -> 236.67.
    # SS 310.00; Medicare 72.50; Texas 0. Net 5,000 - 236.67 - 310 - 72.50 = 4,380.83.
    check(
        payroll(warehouse, "mo", "SAL2", "2026-03-01"),
        hours_worked="0",
        salary_pay="5000.00",
        gross_pay="5000.00",
        federal_income_tax="236.67",
        social_security_tax="310.00",
        medicare_tax="72.50",
        net_pay="4380.83",
    )


def test_semimonthly_salary_is_a_twenty_fourth(warehouse):
    # $52,000 / 24 = 2,166.6667 -> 2,166.67 in each half month (full periods employed).
    for period in ("2026-04-01", "2026-04-16"):
        check(
            payroll(warehouse, "sm", "SMS", period),
            salary_pay="2166.67",
            gross_pay="2166.67",
        )


def test_biweekly_salary_is_a_twenty_sixth(warehouse):
    # $39,000 / 26 = 1,500.00, no punches; withheld like BW1: FIT 96.15.
    check(
        payroll(warehouse, "bw", "BWS", BW),
        hours_worked="0",
        salary_pay="1500.00",
        straight_time_pay="0.00",
        gross_pay="1500.00",
        federal_income_tax="96.15",
        social_security_tax="93.00",
        medicare_tax="21.75",
    )


# --------------------------------------------------------------------------- W-4 and deductions


@pytest.mark.parametrize(
    ("staff", "fit", "computation"),
    [
        # Step 2 checked: no line 1g amount, STEP2 table:
        # 39,000 in 33,250-60,900: 2,900 + 5,750 x 22 % = 4,165; / 26 = 160.1923.
        ("BW2", "160.19", "step 2 checked"),
        # Married jointly: 39,000 - 12,900 = 26,100; 0 + (26,100 - 19,300) x 10 % = 680;
        # / 26 = 26.1538.
        ("BW3", "26.15", "married jointly"),
        # Head of household: 39,000 - 8,600 = 30,400; (30,400 - 15,550) x 10 % = 1,485;
        # / 26 = 57.1154.
        ("BW4", "57.12", "head of household"),
        # Step 3 $2,000: 2,500 / 26 - 2,000 / 26 = 500 / 26 = 19.2308.
        ("BW5", "19.23", "step 3 dependents"),
        # Step 4a $5,200: 39,000 + 5,200 - 8,600 = 35,600; 1,240 + 15,700 x 12 % = 3,124;
        # / 26 = 120.1538.
        ("BW6", "120.15", "step 4a other income"),
        # Step 4b $5,200: 39,000 - 5,200 - 8,600 = 25,200; 1,240 + 5,300 x 12 % = 1,876;
        # / 26 = 72.1538.
        ("BW7", "72.15", "step 4b deductions"),
        # Step 4c $25.00 a period: 96.1538 + 25 = 121.1538.
        ("BW8", "121.15", "step 4c extra withholding"),
    ],
)
def test_w4_withholding(warehouse, staff, fit, computation):
    # Biweekly gross 1,500.00 (annual 39,000); FICA does not depend on the W-4.
    row = payroll(warehouse, "bw", staff, BW)
    check(
        row,
        gross_pay="1500.00",
        federal_income_tax=fit,
        social_security_tax="93.00",
        medicare_tax="21.75",
    )
    check_identities(row)


def test_pre_tax_and_post_tax_deductions_reduce_the_right_bases(warehouse):
    # Gross 1,500.00; 401(k) 100.00 (income tax only); section 125 50.00 (income tax and
    # FICA); post-tax 30.00, in effect from the period's last day 03-14 (a second post-tax
    # line of 999.00 ended 03-13, the day before, so it does not apply).
    # Income-tax wages 1,350: x 26 = 35,100 - 8,600 = 26,500; 1,240 + 6,600 x 12 % = 2,032;
    # / 26 = 78.1538 -> 78.15.
    # FICA wages 1,450: SS 89.90; Medicare 21.025 -> 21.03; FUTA 8.70.
    # Net 1,500 - 100 - 50 - 78.15 - 89.90 - 21.03 - 30 = 1,130.92.
    row = payroll(warehouse, "bw", "BW9", BW)
    check(
        row,
        gross_pay="1500.00",
        retirement_401k="100.00",
        section_125="50.00",
        federal_income_tax="78.15",
        social_security_tax="89.90",
        medicare_tax="21.03",
        state_income_tax="0.00",
        post_tax_deductions="30.00",
        net_pay="1130.92",
        employer_social_security_tax="89.90",
        employer_medicare_tax="21.03",
        futa_tax="8.70",
    )
    check_identities(row)


def test_california_state_tax_and_sdi_with_pre_tax_deductions(warehouse):
    # CA, $25.00 x 40 h = 1,000.00; 401(k) 100.00, section 125 50.00.
    # CONTRACT §6: five 8-hour CA days without a meal break earn 5 meal premiums
    # of one hour at the regular rate, 5 x 25 = 125.00: gross 1,125.00.
    # State approximation 4 % x (1,125 - 100 - 50) = 39.00; SDI 1.3 % x 1,075 = 13.975
    # -> 13.98.
    # FIT: 975 x 52 = 50,700 - 8,600 = 42,100; 1,240 + 22,200 x 12 % = 3,904; / 52 = 75.08.
    # SS 6.2 % x 1,075 = 66.65; Medicare 15.5875 -> 15.59; FUTA 0.6 % x 1,075 = 6.45.
    # Net 1,125 - 100 - 50 - 75.08 - 66.65 - 15.59 - 39.00 - 13.98 = 764.70.
    row = payroll(warehouse, "wk", "CAD", WK)
    check(
        row,
        premium_pay="125.00",
        gross_pay="1125.00",
        retirement_401k="100.00",
        section_125="50.00",
        federal_income_tax="75.08",
        social_security_tax="66.65",
        medicare_tax="15.59",
        state_income_tax="39.00",
        state_disability_tax="13.98",
        net_pay="764.70",
        futa_tax="6.45",
    )
    check_identities(row)


# --------------------------------------------------------------------------- year-to-date caps


def test_additional_medicare_above_two_hundred_thousand(warehouse):
    # ytd_opening Medicare wages 199,000.00; this period 1,500 -> 500 above 200,000.
    # Employee Medicare 1.45 % x 1,500 + 0.9 % x 500 = 21.75 + 4.50 = 26.25;
    # employer 21.75 only. SS wages already at 184,500: SS 0.00. FUTA 0.00.
    check(
        payroll(warehouse, "bw", "BW11", BW),
        medicare_tax="26.25",
        employer_medicare_tax="21.75",
        social_security_tax="0.00",
        employer_social_security_tax="0.00",
        futa_tax="0.00",
    )


def test_futa_stops_at_seven_thousand(warehouse):
    # ytd_opening FUTA wages 6,000.00: only 1,000 of this 1,500 is FUTA wages:
    # 0.6 % x 1,000 = 6.00. Social Security and Medicare are far from their limits.
    check(
        payroll(warehouse, "bw", "BW12", BW),
        futa_tax="6.00",
        social_security_tax="93.00",
        medicare_tax="21.75",
    )


def test_every_row_satisfies_both_identities(warehouse):
    rows = _query(warehouse, "select * from build.fct_payroll")
    assert len(rows) > 40
    for row in rows:
        check_identities(row)


# --------------------------------------------------------------------------- CLI: year to date


def test_year_to_date_from_an_earlier_computed_period(cli_warehouse):
    # $150.00 x 40 h = 6,000.00 in each of two weekly periods (03-01 and 03-08), Texas.
    # YT1, no opening: FUTA period 1 = 0.6 % x 6,000 = 36.00; period 2 FUTA wages YTD
    # 6,000 -> only 1,000 left: 6.00.
    # YT2, opening SS wages 175,000: period 1 SS 6.2 % x 6,000 = 372.00 (YTD 181,000);
    # period 2: 184,500 - 181,000 = 3,500 left -> 217.00; Medicare 1.45 % x 6,000 = 87.00
    # (187,000 < 200,000). FUTA opening 7,000: 0.00.
    before = cli_warehouse.before
    check(before["YT1", "2026-03-01"], gross_pay="6000.00", futa_tax="36.00")
    check(before["YT1", "2026-03-08"], gross_pay="6000.00", futa_tax="6.00")
    check(before["YT2", "2026-03-01"], social_security_tax="372.00", futa_tax="0.00")
    check(
        before["YT2", "2026-03-08"],
        social_security_tax="217.00",
        employer_social_security_tax="217.00",
        medicare_tax="87.00",
        futa_tax="0.00",
    )


def test_rerunning_period_one_recomputes_period_two(cli_warehouse):
    # A correction makes Fri 03-06 4 h instead of 8 for YT1 and YT2; only period 03-01
    # is run again. Period 1: 36 h x 150 = 5,400.00 (YT1 FUTA 32.40; YT2 SS 334.80).
    # Period 2 must follow: YT1 FUTA 0.6 % x (7,000 - 5,400) = 9.60;
    # YT2 SS 6.2 % x (184,500 - 180,400) = 6.2 % x 4,100 = 254.20; its gross unchanged.
    after = cli_warehouse.after
    check(after["YT1", "2026-03-01"], hours_worked="36", gross_pay="5400.00", futa_tax="32.40")
    check(after["YT1", "2026-03-08"], gross_pay="6000.00", futa_tax="9.60")
    check(after["YT2", "2026-03-01"], gross_pay="5400.00", social_security_tax="334.80")
    check(after["YT2", "2026-03-08"], gross_pay="6000.00", social_security_tax="254.20")
    assert "yt 2026-03-08" in cli_warehouse.rerun_output
    assert len(after) == 4
