"""Pay periods exist whether or not anyone punched in, and many periods are
one run — through the CLI, as an operator runs it, against a real PostgreSQL.

- A tenant of salaried staff only has every period from its earliest hire
  through the one holding its local today, and is paid in each closed one.
- ``payroll run --all-closed`` computes a year of periods in ONE Dagster run
  and prints one line per period with its totals; its year-to-date taxes
  (Social Security and FUTA caps, additional Medicare) equal those of the
  same periods run one by one, to the cent.
- A correction to a finalized period is paid in the next period although no
  punch arrived after it; a finalized period inside a range is skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg2
import psycopg2.extras
import pytest
from typer.testing import CliRunner

from dagster_project.cli import app
from dagster_project.core.periods import PayPeriodKey
from tests.worked_examples.test_worked_examples import Dataset, days

D = Decimal
CENT = D("0.01")
LA = "America/Los_Angeles"


def _env(url: str, home: Path) -> pytest.MonkeyPatch:
    from dagster_project.lib.instance import STORAGE_URL_ENV
    from dagster_project.settings import get_settings

    patch = pytest.MonkeyPatch()
    patch.setenv("PAYROLL_DATABASE_URL", url)
    patch.setenv("PAYROLL_HOME", str(home))
    for name in ("PAYROLL_DAGSTER_DATABASE_URL", "DAGSTER_HOME", STORAGE_URL_ENV):
        patch.delenv(name, raising=False)
    get_settings.cache_clear()
    return patch


def _undo(patch: pytest.MonkeyPatch) -> None:
    from dagster_project.settings import get_settings

    patch.undo()
    get_settings.cache_clear()


def _cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def _rows(url: str, sql: str, params: tuple = ()) -> list[dict]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute(sql, params)
            return [dict(row) for row in cur.fetchall()]
    finally:
        conn.close()


def _local_today(zone: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(zone)).date()


def _biweekly_from(anchor: dt.date, first_day: dt.date, last_day: dt.date) -> list[dt.date]:
    """Period starts of a biweekly calendar covering first_day..last_day."""
    start = anchor + dt.timedelta(days=((first_day - anchor).days // 14) * 14)
    starts = []
    while start <= last_day:
        starts.append(start)
        start += dt.timedelta(days=14)
    return starts


# --------------------------------------------------------------------------- salaried only

SALARIED_ANCHOR = dt.date(2026, 1, 4)
MANAGER_HIRED = dt.date(2026, 1, 4)  # the first day of a period
CHEF_HIRED = dt.date(2026, 6, 3)  # mid-period: 06-03..06-06 of 05-24..06-06


@dataclass(frozen=True)
class SalariedRun:
    url: str
    output: str
    local_today: dt.date


@pytest.fixture(scope="module")
def salaried(make_database, tmp_path_factory) -> Iterator[SalariedRun]:
    data = Dataset()
    data.tenant("sal", "biweekly", SALARIED_ANCHOR.isoformat(), workweek="sunday")
    data.location("sal", "LAX", LA, "TX")
    salaried = {"pay_type": "salaried", "flsa_exempt": "true"}
    data.staff("sal", "MGR", "LAX", annual_salary="78000", hired_on=MANAGER_HIRED.isoformat(),
               **salaried)  # fmt: skip
    data.staff("sal", "CHEF", "LAX", annual_salary="52000", hired_on=CHEF_HIRED.isoformat(),
               **salaried)  # fmt: skip
    url = make_database("salaried_only")
    tmp = tmp_path_factory.mktemp("salaried_only")
    patch = _env(url, tmp / "home")
    try:
        _cli("ingest", str(data.write(tmp / "input")))
        output = _cli("run", "--all-closed")
    finally:
        _undo(patch)
    yield SalariedRun(url, output, _local_today(LA))


def test_a_tenant_of_salaried_staff_has_every_period_through_today(salaried):
    periods = _rows(
        salaried.url,
        "select period_start, period_end, is_closed from marts.dim_pay_periods "
        "where tenant_id = 'sal' order by period_start",
    )
    expected = _biweekly_from(SALARIED_ANCHOR, MANAGER_HIRED, salaried.local_today)
    assert [p["period_start"] for p in periods] == expected
    assert periods[-1]["period_start"] <= salaried.local_today <= periods[-1]["period_end"]
    assert [p["is_closed"] for p in periods] == [True] * (len(expected) - 1) + [False]


def test_salaries_are_paid_in_every_closed_period_in_one_run(salaried):
    closed = _biweekly_from(SALARIED_ANCHOR, MANAGER_HIRED, salaried.local_today)[:-1]
    paid = _rows(
        salaried.url,
        "select staff_id, period_start, salary_pay, gross_pay, run_id from marts.fct_payroll "
        "where tenant_id = 'sal' order by period_start, staff_id",
    )
    manager = {row["period_start"]: row["salary_pay"] for row in paid if row["staff_id"] == "MGR"}
    assert manager == {start: D("3000.00") for start in closed}  # 78,000 / 26
    chef = {row["period_start"]: row["salary_pay"] for row in paid if row["staff_id"] == "CHEF"}
    hire_period = dt.date(2026, 5, 24)
    # 4 of the period's 14 days employed: 2,000.00 × 4 / 14
    assert chef[hire_period] == (D("2000") * 4 / 14).quantize(CENT)
    assert min(chef) == hire_period
    assert all(chef[start] == D("2000.00") for start in closed if start > hire_period)
    assert len({row["run_id"] for row in paid}) == 1, "a year of periods is one run"


def test_run_all_closed_prints_one_line_per_period_with_its_totals(salaried):
    paid = _rows(
        salaried.url,
        "select period_start, count(*) as staff, sum(gross_pay) as gross, sum(net_pay) as net "
        "from marts.fct_payroll where tenant_id = 'sal' group by 1 order by 1",
    )
    lines = [line.split() for line in salaried.output.splitlines() if line.startswith("  sal ")]
    assert [line[1] for line in lines] == [row["period_start"].isoformat() for row in paid]
    for words, row in zip(lines, paid, strict=True):
        assert words[2:] == [str(row["staff"]), "staff", "gross", f"{row['gross']:,.2f}",
                             "net", f"{row['net']:,.2f}"]  # fmt: skip


# --------------------------------------------------------------------------- year to date

CAP_WEEKS = [dt.date(2026, 1, 5) + dt.timedelta(days=7 * n) for n in range(3)]


def _cap_dataset() -> Dataset:
    """Wages that cross every year-to-date cap inside the range: FUTA (7,000)
    in week 1, Social Security (184,500) and additional Medicare (200,000)
    in week 2 for BIG; in week 1 and 2 for OPEN, who starts the year close
    to both (ytd_opening)."""
    data = Dataset()
    data.tenant("cap", "weekly", CAP_WEEKS[0].isoformat(), workweek="monday")
    data.location("cap", "CHI", "America/Chicago", "TX")
    data.staff("cap", "BIG", "CHI")
    data.staff("cap", "OPEN", "CHI")
    data.rate("cap", "BIG", "exec", "2500.00")
    data.rate("cap", "OPEN", "exec", "100.00")
    data.ytd_opening("cap", "OPEN", "183000.00", "183000.00", "198000.00", "6900.00")
    for week in CAP_WEEKS:
        for day in days(week.isoformat(), 5):
            data.shift("cap", "BIG", "CHI", "exec", day, "09:00", 8)
            data.shift("cap", "OPEN", "CHI", "exec", day, "09:00", 8)
    return data


_COMPARED = (
    "staff_id, period_start, gross_pay, federal_income_tax, social_security_tax, "
    "medicare_tax, state_income_tax, net_pay, employer_social_security_tax, "
    "employer_medicare_tax, futa_tax"
)


@dataclass(frozen=True)
class YtdRuns:
    one_by_one: list[dict]
    range_rows: list[dict]
    range_runs: list[dict]


@pytest.fixture(scope="module")
def ytd(make_database, tmp_path_factory) -> Iterator[YtdRuns]:
    tmp = tmp_path_factory.mktemp("ytd_ranges")
    folder = _cap_dataset().write(tmp / "input")
    select = f"select {_COMPARED} from marts.fct_payroll order by staff_id, period_start"
    one_by_one_url = make_database("ytd_one_by_one")
    patch = _env(one_by_one_url, tmp / "home_one_by_one")
    try:
        _cli("ingest", str(folder))
        for week in CAP_WEEKS:
            _cli("run", "--period", week.isoformat())
    finally:
        _undo(patch)
    range_url = make_database("ytd_range")
    patch = _env(range_url, tmp / "home_range")
    try:
        _cli("ingest", str(folder))
        _cli("run", "--all-closed")
    finally:
        _undo(patch)
    yield YtdRuns(
        one_by_one=_rows(one_by_one_url, select),
        range_rows=_rows(range_url, select),
        range_runs=_rows(
            range_url,
            "select run_id, period_start, status, staff_paid from marts.payroll_runs "
            "order by period_start",
        ),
    )


def test_year_to_date_of_one_range_run_equals_the_periods_run_one_by_one(ytd):
    assert len(ytd.one_by_one) == 2 * len(CAP_WEEKS)
    assert ytd.range_rows == ytd.one_by_one


def test_the_range_crossed_every_cap(ytd):
    big = {row["period_start"]: row for row in ytd.range_rows if row["staff_id"] == "BIG"}
    # 100,000.00 a week: FUTA only on the first 7,000; Social Security on
    # 184,500 − 100,000 in week 2, nothing in week 3; 0.9 % on the wages
    # above 200,000 from week 3
    assert big[CAP_WEEKS[0]]["futa_tax"] == D("42.00")
    assert big[CAP_WEEKS[1]]["futa_tax"] == D("0.00")
    assert big[CAP_WEEKS[0]]["social_security_tax"] == D("6200.00")
    assert big[CAP_WEEKS[1]]["social_security_tax"] == D("5239.00")  # 6.2 % × 84,500
    assert big[CAP_WEEKS[2]]["social_security_tax"] == D("0.00")
    assert big[CAP_WEEKS[1]]["medicare_tax"] == D("1450.00")  # 200,000 reached exactly
    assert big[CAP_WEEKS[2]]["medicare_tax"] == D("2350.00")  # 1,450 + 0.9 % × 100,000
    opening = {row["period_start"]: row for row in ytd.range_rows if row["staff_id"] == "OPEN"}
    # 4,000.00 a week over an opening of 183,000: 1,500 left under the base
    assert opening[CAP_WEEKS[0]]["social_security_tax"] == D("93.00")
    assert opening[CAP_WEEKS[1]]["social_security_tax"] == D("0.00")
    assert opening[CAP_WEEKS[0]]["futa_tax"] == D("0.60")  # 100 left of 7,000


def test_a_year_of_periods_is_one_run_recorded_per_period(ytd):
    computed = [row for row in ytd.range_runs if row["staff_paid"] > 0]
    assert [row["period_start"] for row in computed] == CAP_WEEKS
    assert len({row["run_id"] for row in ytd.range_runs}) == 1
    assert {row["status"] for row in ytd.range_runs} == {"SUCCESS"}


# --------------------------------------------------------------------------- corrections

FIX_WEEK = dt.date(2026, 9, 7)
NEXT_WEEK = FIX_WEEK + dt.timedelta(days=7)


def test_a_correction_to_a_finalized_period_is_paid_in_the_next_one_without_new_punches(
    make_database, tmp_path
):
    data = Dataset()
    data.tenant("fix", "weekly", FIX_WEEK.isoformat(), workweek="monday")
    data.location("fix", "DAL", "America/Chicago", "TX")
    data.staff("fix", "H1", "DAL")
    data.rate("fix", "H1", "cook", "20.00")
    events = [
        data.shift("fix", "H1", "DAL", "cook", day, "09:00", 8)
        for day in days(FIX_WEEK.isoformat(), 5)
    ]
    url = make_database("correction_next_period")
    patch = _env(url, tmp_path / "home")
    try:
        _cli("ingest", str(data.write(tmp_path / "input")))
        _cli("run", "--period", FIX_WEEK.isoformat())
        _cli("finalize", "--period", FIX_WEEK.isoformat())
        [first_run] = {r["run_id"] for r in _rows(url, "select run_id from marts.fct_payroll")}
        # Monday's shift was half an hour longer; nothing else arrives
        fix = Dataset()
        row = next(r for r in data.rows["attendance.csv"] if r["event_id"] == events[0])
        clock_out = dt.datetime.fromisoformat(row["clock_out"]) + dt.timedelta(minutes=30)
        fix.rows["attendance.csv"].append(
            {**row, "clock_out": clock_out.isoformat(), "updated_at": "2026-09-20T12:00:00+00:00"}
        )
        _cli("ingest", str(fix.write(tmp_path / "correction")))
        _cli("run", "--all-closed")
        _cli("run", "--period", FIX_WEEK.isoformat(), code=2)  # refused: finalized
        # a range that holds the finalized week computes the rest and skips it
        from dagster_project.definitions import defs
        from dagster_project.lib.instance import get_instance
        from dagster_project.lib.launch import run_periods

        skipping = run_periods(
            defs(),
            get_instance(),
            [PayPeriodKey("fix", FIX_WEEK), PayPeriodKey("fix", NEXT_WEEK)],
        )
        assert skipping.success, skipping
    finally:
        _undo(patch)
    [adjustment] = _rows(
        url,
        "select original_period_start, applied_period_start, reason, delta_hours_worked, "
        "delta_overtime_hours, delta_straight_time_pay, delta_overtime_premium_pay, "
        "delta_gross_pay, source_ids from marts.fct_payroll_adjustments",
    )
    assert adjustment == {
        "original_period_start": FIX_WEEK,
        "applied_period_start": NEXT_WEEK,
        "reason": "corrected_punch",
        "delta_hours_worked": D("0.5000"),
        "delta_overtime_hours": D("0.5000"),  # the week is now 40.5 h
        "delta_straight_time_pay": D("10.00"),
        "delta_overtime_premium_pay": D("5.00"),  # 0.5 × 20.00 × 0.5 h
        "delta_gross_pay": D("15.00"),
        "source_ids": [events[0]],
    }
    payroll = {
        row["period_start"]: row
        for row in _rows(url, "select * from marts.fct_payroll where tenant_id = 'fix'")
    }
    assert payroll[NEXT_WEEK]["hours_worked"] == D("0.5")
    assert payroll[NEXT_WEEK]["straight_time_pay"] == D("10.00")
    assert payroll[NEXT_WEEK]["overtime_premium_pay"] == D("5.00")
    assert payroll[NEXT_WEEK]["gross_pay"] == D("15.00")
    assert payroll[NEXT_WEEK]["run_id"] == skipping.run_id
    # the finalized week is as it was published
    assert payroll[FIX_WEEK]["hours_worked"] == D("40")
    assert payroll[FIX_WEEK]["gross_pay"] == D("800.00")
    assert payroll[FIX_WEEK]["run_id"] == first_run
