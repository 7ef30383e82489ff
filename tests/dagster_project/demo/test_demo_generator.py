import csv
import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dagster_project.demo.generator import DEMO_SEED, DemoSummary, write_demo_files
from tests.reference import payroll as ref
from tests.reference.contract import CONTRACT_COLUMNS, DEMO_INPUT_COLUMNS

# the demo writes the optional CONTRACT §6 columns too, after those of §3
CONTRACT_HEADERS = {kind: ",".join(columns) for kind, columns in DEMO_INPUT_COLUMNS.items()}
ORIGINAL_LOCATIONS = ("AUS", "MIA", "DEN")  # 20 staff each, 2 of them managers
CREW = tuple(f"S{n:03d}" for n in range(61, 69))  # the tipped crew (CONTRACT §6)
TIPPED_ROLES = {"server", "bartender"}
ROOT = Path(__file__).resolve().parents[3]
D = Decimal


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
        "legal_name": "Bistro Group LLC",
        "address": "100 Harbor Way, Sacramento, CA 95814",
        "ein": "00-1234567",
    }
    assert (summary.first_day, summary.last_day) == (dt.date(2026, 3, 1), dt.date(2026, 4, 25))
    assert summary.period_starts == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 15),
        dt.date(2026, 3, 29),
        dt.date(2026, 4, 12),
    )


def test_demo_generator_staffs_five_locations_in_five_states(demo):
    folder, summary = demo
    locations = _rows(folder, "locations")
    staff = _rows(folder, "staff")
    assert {row["location_id"]: (row["jurisdiction"], row["locality"]) for row in locations} == {
        "AUS": ("TX", ""),
        "MIA": ("FL", ""),
        "DEN": ("CO", ""),
        "SAC": ("CA", ""),
        "NYC": ("NY", "nyc"),
    }
    assert len({row["timezone"] for row in locations}) == 4  # MIA and NYC share one
    assert summary.staff_count == len(staff) == 68
    assert len({row["full_name"] for row in staff}) == 68
    for location in ORIGINAL_LOCATIONS:
        here = [
            row
            for row in staff
            if row["home_location_id"] == location and row["staff_id"] not in CREW
        ]
        salaried = [row for row in here if row["pay_type"] == "salaried"]
        assert len(here) == 20 and len(salaried) == 2
        assert sum(row["flsa_exempt"] == "true" for row in salaried) == 1
    crew = [row for row in staff if row["staff_id"] in CREW]
    assert len(crew) == 8
    assert all(row["pay_type"] == "hourly" and row["flsa_exempt"] == "false" for row in crew)
    assert Counter(row["home_location_id"] for row in crew) == {"AUS": 3, "SAC": 3, "NYC": 2}
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


# ---------------------------------------------------------------- CONTRACT §6: the tipped crew


def _local_punches(row: dict[str, str], zone: str) -> tuple[str, str, str, int]:
    """(work date, local clock-in HH:MM, local clock-out HH:MM, break minutes)."""
    clock_in = _parse(row["clock_in"]).astimezone(ZoneInfo(zone))
    clock_out = _parse(row["clock_out"]).astimezone(ZoneInfo(zone))
    return (
        clock_in.date().isoformat(),
        clock_in.strftime("%H:%M"),
        clock_out.strftime("%H:%M"),
        int(row["break_minutes"]),
    )


def test_demo_generator_tips_the_crew_with_the_tip_credit_where_the_state_allows_one(demo):
    folder, summary = demo
    home = {row["staff_id"]: row["home_location_id"] for row in _rows(folder, "staff")}
    rates = _rows(folder, "pay_rates")
    tip_credit = {
        (row["staff_id"], row["role"]): row["hourly_rate"]
        for row in rates
        if row["tip_credit"] == "true"
    }
    # TX: the federal cash wage $2.13; New York City: $11.35 (reference.minimum_wages)
    assert tip_credit == {
        **{(s, role): "2.13" for s in ("S061", "S062", "S063") for role in TIPPED_ROLES},
        **{("S068", role): "11.35" for role in TIPPED_ROLES},
    }
    assert {row["tip_credit"] for row in rates} == {"true", "false"}
    # California allows no tip credit: its tipped staff earn its $16.90 or more
    california = [row for row in rates if home.get(row["staff_id"]) == "SAC"]
    assert len(california) == 6
    assert all(Decimal(row["hourly_rate"]) >= Decimal("16.90") for row in california)
    short_week = set(summary.scenario_event_ids["short_tips"])
    tips_by_location: Counter[str] = Counter()
    for row in _good_attendance(folder, summary):
        cash, card = Decimal(row["cash_tips"]), Decimal(row["card_tips"])
        if row["staff_id"] not in CREW or row["role"] not in TIPPED_ROLES:
            assert cash == card == 0, row["event_id"]
            continue
        tips_by_location[row["location_id"]] += cash + card
        if row["event_id"] not in short_week:
            assert Decimal(45) <= cash + card <= Decimal(250), row["event_id"]
            assert 0 < cash < card, row["event_id"]  # cash is a minority
    assert set(tips_by_location) == {"AUS", "SAC", "NYC"}


def test_demo_generator_plans_each_restaurant_scenario_as_documented(demo):
    folder, summary = demo
    zones = {row["location_id"]: row["timezone"] for row in _rows(folder, "locations")}
    good = {row["event_id"]: row for row in _good_attendance(folder, summary)}
    scenarios = summary.scenario_event_ids
    assert set(scenarios) == {
        "short_tips",
        "tipped_overtime",
        "split_shift",
        "meal_period",
        "spread_of_hours",
    }
    corrected = set(summary.corrected_event_ids)

    def shifts(kind: str) -> list[tuple[str, str, str, str, str, int]]:
        events = scenarios[kind]
        assert not corrected & set(events), kind  # a correction would spoil the figures
        rows = [good[event] for event in events]
        return [
            (row["staff_id"], row["location_id"], row["role"])
            + _local_punches(row, zones[row["location_id"]])
            for row in rows
        ]

    # the slow week: S061 in Austin, 5 × 16:00–22:00 (5.5 h after the break)
    slow = shifts("short_tips")
    assert [shift[3] for shift in slow] == [f"2026-03-{day}" for day in range(17, 22)]
    assert {shift[:2] + shift[4:] for shift in slow} == {("S061", "AUS", "16:00", "22:00", 30)}
    tips = sum(
        D(good[event]["cash_tips"]) + D(good[event]["card_tips"])
        for event in scenarios["short_tips"]
    )
    assert tips == D("40.00") < D("27.5") * (D("7.25") - D("2.13"))
    # the tipped overtime week: S062 in Austin, 6 × 14:00–22:00 = 45 h
    long_week = shifts("tipped_overtime")
    assert len(long_week) == 6
    assert {shift[:2] + shift[4:] for shift in long_week} == {("S062", "AUS", "14:00", "22:00", 30)}
    assert {shift[3] for shift in long_week} <= {f"2026-03-{d}" for d in (29, 30, 31)} | {
        f"2026-04-0{d}" for d in range(1, 5)
    }
    # California: a split shift at $16.90, and a 7-hour day without a meal break
    assert shifts("split_shift") == [
        ("S064", "SAC", "server", "2026-04-10", "10:00", "14:00", 0),
        ("S064", "SAC", "server", "2026-04-10", "17:00", "21:00", 0),
    ]
    assert shifts("meal_period") == [("S066", "SAC", "cook", "2026-04-16", "10:00", "17:00", 0)]
    # New York City: a day spread over 13 hours
    assert shifts("spread_of_hours") == [
        ("S067", "NYC", "cook", "2026-03-27", "09:00", "13:00", 0),
        ("S067", "NYC", "cook", "2026-03-27", "17:00", "22:00", 0),
    ]
    # each scenario day holds only its own shifts
    for kind in ("split_shift", "meal_period", "spread_of_hours"):
        staff_id, location, *_ = shifts(kind)[0]
        day = shifts(kind)[0][3]
        same_day = [
            event
            for event, row in good.items()
            if row["staff_id"] == staff_id and _local_punches(row, zones[location])[0] == day
        ]
        assert sorted(same_day) == sorted(scenarios[kind]), kind


def _reference_inputs(folder: Path, summary: DemoSummary) -> ref.Inputs:
    """The demo's files as the reference calculator's inputs: the latest
    version of every good shift, the bad rows left out."""

    def money(value: str) -> Decimal:
        return Decimal(value) if value else Decimal(0)

    def day(value: str) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    return ref.Inputs(
        tenants=[
            ref.Tenant(
                r["tenant_id"],
                r["pay_frequency"],
                day(r["period_anchor"]),
                r["workweek_start"],
                int(r["pay_date_lag_days"]),
            )
            for r in _rows(folder, "tenants")
        ],
        locations=[
            ref.Location(
                r["tenant_id"],
                r["location_id"],
                r["timezone"],
                r["jurisdiction"],
                r["locality"] or None,
            )
            for r in _rows(folder, "locations")
        ],  # fmt: skip
        staff=[
            ref.Staff(
                r["tenant_id"],
                r["staff_id"],
                r["home_location_id"],
                r["pay_type"],
                r["flsa_exempt"] == "true",
                money(r["annual_salary"]) if r["annual_salary"] else None,
                r["filing_status"],
                r["w4_step2"] == "true",
                money(r["w4_dependents"]),
                money(r["w4_other_income"]),
                money(r["w4_deductions"]),
                money(r["w4_extra_withholding"]),
                day(r["hired_on"]),
                day(r["terminated_on"]),
            )
            for r in _rows(folder, "staff")
        ],  # fmt: skip
        pay_rates=[
            ref.PayRate(
                r["tenant_id"],
                r["staff_id"] or None,
                r["role"],
                money(r["hourly_rate"]),
                day(r["effective_from"]),
                day(r["effective_to"]),
                r["tip_credit"] == "true",
            )
            for r in _rows(folder, "pay_rates")
        ],  # fmt: skip
        attendance=[
            ref.Shift(
                r["tenant_id"],
                r["event_id"],
                r["staff_id"],
                r["location_id"],
                r["role"],
                _parse(r["clock_in"]),
                _parse(r["clock_out"]),
                int(r["break_minutes"]),
                money(r["cash_tips"]),
                money(r["card_tips"]),
            )
            for r in _good_attendance(folder, summary)
        ],  # fmt: skip
        adjustments=[
            ref.Adjustment(
                r["tenant_id"],
                r["adjustment_id"],
                r["staff_id"],
                day(r["work_date"]),
                r["kind"],
                money(r["amount"]),
            )
            for r in _rows(folder, "adjustments")
        ],  # fmt: skip
        deductions=[
            ref.Deduction(
                r["tenant_id"],
                r["staff_id"],
                r["kind"],
                money(r["amount_per_period"]),
                day(r["effective_from"]),
                day(r["effective_to"]),
            )
            for r in _rows(folder, "deductions")
        ],  # fmt: skip
        ytd_opening=[
            ref.YtdOpening(
                r["tenant_id"],
                r["staff_id"],
                int(r["tax_year"]),
                *(money(r[c]) for c in CONTRACT_COLUMNS["ytd_opening"][3:]),
            )
            for r in _rows(folder, "ytd_opening")
        ],  # fmt: skip
    )


@pytest.fixture(scope="module")
def restaurant(demo) -> ref.Result:
    """CONTRACT §6 over the demo, by the reference calculator (not the pipeline)."""
    folder, summary = demo
    tables = ref.load_tax_tables(ROOT / "dbt_project" / "seeds")
    return ref.compute(_reference_inputs(folder, summary), tables, ref.load_minimum_wages())


def test_demo_generator_premiums_are_the_three_planned_ones_to_the_cent(restaurant):
    found = {
        (p.staff_id, p.work_date.isoformat(), p.kind): (
            p.location_id,
            p.rate,
            p.amount,
            p.period_start.isoformat(),
        )
        for p in restaurant.premiums.values()
    }
    assert found == {
        # S064, $16.90 (the CA minimum), 8 h on 2026-04-10 with a 3-hour gap:
        # 16.90 × (8 + 1) − 16.90 × 8 = 16.90; paid with its week (ends 04-11)
        ("S064", "2026-04-10", "split_shift"): ("SAC", D("16.9000"), D("16.90"), "2026-03-29"),
        # S066, week of 04-12: cook 4 days (3 × 5.5 h + the 7 h day) at $19.50,
        # dishwasher 5.5 h at $17.25: 553.125 / 29 h = 19.0733 an hour, one hour of it
        ("S066", "2026-04-16", "meal_period"): ("SAC", D("19.0733"), D("19.07"), "2026-04-12"),
        # S067, 09:00–22:00 = a 13-hour spread: one hour at the NYC minimum $17.00
        ("S067", "2026-03-27", "spread_of_hours"): ("NYC", D("17.0000"), D("17.00"), "2026-03-15"),
    }


def test_demo_generator_tip_credit_make_up_and_tipped_overtime_to_the_cent(restaurant):
    weeks = {(w.staff_id, w.workweek_start.isoformat()): w for w in restaurant.workweeks.values()}
    slow = weeks["S061", "2026-03-15"]
    # 27.5 h: capacity 27.5 × 5.12 = 140.80 > tips 40.00, so the tip credit is 40.00;
    # make-up = 27.5 × 7.25 − 27.5 × 2.13 − 40.00 = 199.375 − 58.575 − 40.00
    assert (slow.hours_worked, slow.tips, slow.tip_credit, slow.minimum_wage_makeup_pay) == (
        D("27.5"), D("40.00"), D("40.00"), D("100.80"),
    )  # fmt: skip
    assert slow.regular_rate == D("7.25")
    overtime = weeks["S062", "2026-03-29"]
    # 45 h at $2.13 + a tip credit of 45 × 5.12 = 230.40: regular rate 7.25, and
    # 5 overtime hours × 0.5 × 7.25 = 18.125 (29 CFR 531.60)
    assert (overtime.hours_worked, overtime.overtime_hours, overtime.tip_credit) == (
        D("45"), D("5"), D("230.40"),
    )  # fmt: skip
    assert overtime.regular_rate == D("7.25")
    assert overtime.overtime_premium_pay == overtime.qualified_overtime_premium == D("18.13")
    assert overtime.minimum_wage_makeup_pay == 0
    # every other week of the crew pays at least the minimum wage without make-up
    made_up = {key for key, w in weeks.items() if key[0] in CREW and w.minimum_wage_makeup_pay}
    assert made_up == {("S061", "2026-03-15")}
    tipped = {w.staff_id for w in weeks.values() if w.tip_credit}
    assert tipped == {"S061", "S062", "S063", "S068"}


def test_demo_generator_writes_the_payday_inputs(demo):
    """CONTRACT §7: an account for every staff member but every tenth (paid by
    check), valid routing numbers, and the tenant's ACH originator."""
    from dagster_project.payday.nacha import routing_number_is_valid

    folder, summary = demo
    accounts = _rows(folder, "bank_accounts")
    staff = [row["staff_id"] for row in _rows(folder, "staff")]
    assert [row["staff_id"] for row in accounts] == [
        staff_id for number, staff_id in enumerate(staff, start=1) if number % 10
    ]
    assert len(accounts) == 62 and summary.rows["bank_accounts"] == 62
    assert all(routing_number_is_valid(row["routing_number"]) for row in accounts)
    assert {row["account_type"] for row in accounts} == {"checking", "savings"}
    assert all(4 <= len(row["account_number"]) <= 17 for row in accounts)
    (settings,) = _rows(folder, "ach_settings")
    assert routing_number_is_valid(settings["odfi_routing_number"])
    assert len(settings["immediate_origin"]) == len(settings["company_id"]) == 10
    assert len(settings["company_name"]) <= 16
