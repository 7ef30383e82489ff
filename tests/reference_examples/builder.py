"""Small hand-made cases for the reference calculator (``tests/reference/payroll.py``).

One tenant, weekly pay periods Monday–Sunday from Monday 2026-03-02 (pay date
= period end + 5), workweeks Monday–Sunday, unless a case says otherwise.
Times are local wall times of the shift's location.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.reference import payroll as ref

ROOT = Path(__file__).resolve().parents[2]
TABLES = ref.load_tax_tables(ROOT / "dbt_project" / "seeds")
MINIMUM_WAGES = ref.load_minimum_wages()
D = Decimal

MON = dt.date(2026, 3, 2)  # a Monday: the first day of a workweek and of a pay period
TUE, WED, THU, FRI, SAT, SUN = (MON + dt.timedelta(days=n) for n in range(1, 7))
ZONES = {
    "AK": "America/Anchorage",
    "TX": "America/Chicago",
    "CA": "America/Los_Angeles",
    "NY": "America/New_York",
    "CO": "America/Denver",
    "IL": "America/Chicago",
    "WA": "America/Los_Angeles",
    "FL": "America/New_York",
}


class Case:
    """Rows of the §3/§6 input files, added one call at a time."""

    def __init__(
        self,
        tenant_id: str = "t",
        frequency: str = "weekly",
        anchor: dt.date | None = MON,
        workweek_start: str = "monday",
    ) -> None:
        self.tenant_id = tenant_id
        self.inputs = ref.Inputs(
            tenants=[ref.Tenant(tenant_id, frequency, anchor, workweek_start, 5)]
        )
        self._events = 0

    def location(
        self, location_id: str, state: str, locality: str | None = None, zone: str | None = None
    ) -> Case:
        self.inputs.locations.append(
            ref.Location(self.tenant_id, location_id, zone or ZONES[state], state, locality)
        )
        return self

    def staff(self, staff_id: str, home: str, **fields) -> Case:
        fields.setdefault("pay_type", "hourly")
        fields.setdefault("hired_on", dt.date(2025, 1, 6))
        self.inputs.staff.append(ref.Staff(self.tenant_id, staff_id, home, **fields))
        return self

    def rate(
        self, staff_id: str | None, rate: str, role: str = "server", tip_credit: bool = False
    ) -> Case:
        self.inputs.pay_rates.append(
            ref.PayRate(
                self.tenant_id,
                staff_id,
                role,
                D(rate),
                dt.date(2026, 1, 1),
                tip_credit=tip_credit,
            )
        )
        return self

    def shift(
        self,
        staff_id: str,
        location_id: str,
        day: dt.date,
        start: str,
        hours: float,
        break_minutes: int = 0,
        cash_tips: str = "0",
        card_tips: str = "0",
        role: str = "server",
    ) -> Case:
        """A shift from ``start`` (local HH:MM) lasting ``hours`` on the clock."""
        zone = ZoneInfo(
            next(loc.timezone for loc in self.inputs.locations if loc.location_id == location_id)
        )
        hour, minute = (int(x) for x in start.split(":"))
        clock_in = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
        clock_out = clock_in + dt.timedelta(minutes=round(hours * 60))
        self._events += 1
        self.inputs.attendance.append(
            ref.Shift(
                self.tenant_id,
                f"E{self._events:03d}",
                staff_id,
                location_id,
                role,
                clock_in.astimezone(dt.UTC),
                clock_out.astimezone(dt.UTC),
                break_minutes,
                D(cash_tips),
                D(card_tips),
            )
        )
        return self

    def bonus(self, staff_id: str, day: dt.date, amount: str, kind: str = "bonus") -> Case:
        number = len(self.inputs.adjustments) + 1
        self.inputs.adjustments.append(
            ref.Adjustment(self.tenant_id, f"A{number}", staff_id, day, kind, D(amount))
        )
        return self

    def deduction(self, staff_id: str, kind: str, amount: str) -> Case:
        self.inputs.deductions.append(
            ref.Deduction(self.tenant_id, staff_id, kind, D(amount), dt.date(2026, 1, 1))
        )
        return self

    def compute(
        self, minimum_wages: ref.MinimumWages | None = MINIMUM_WAGES, restaurant: bool = True
    ) -> ref.Result:
        """§4 and §6 (the default), or §4 alone with ``restaurant=False``."""
        return ref.compute(self.inputs, TABLES, minimum_wages if restaurant else None)


def week_row(result: ref.Result, staff_id: str, start: dt.date = MON, tenant_id: str = "t"):
    return result.workweeks[tenant_id, staff_id, start]


def pay_row(result: ref.Result, staff_id: str, start: dt.date = MON, tenant_id: str = "t"):
    return result.payroll[tenant_id, staff_id, start]


def premiums_of(result: ref.Result, staff_id: str) -> dict[tuple[dt.date, str], ref.PremiumRow]:
    return {(key[2], key[3]): row for key, row in result.premiums.items() if key[1] == staff_id}


def check(row: object, **expected: str | None) -> None:
    """Every named column of ``row`` equals its expected decimal string."""
    found = {name: getattr(row, name) for name in expected}
    want = {name: None if value is None else D(value) for name, value in expected.items()}
    assert found == want


def identities_hold(row: ref.PayrollRow) -> bool:
    gross = sum(getattr(row, name) for name in ref.GROSS_PARTS)
    net = row.gross_pay - sum(getattr(row, name) for name in ref.NET_SUBTRACTS)
    return gross == row.gross_pay and net == row.net_pay
