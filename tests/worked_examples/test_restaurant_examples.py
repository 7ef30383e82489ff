"""Worked examples of CONTRACT §6 (restaurant pay), through the pipeline:
CSV in, ``build`` marts out, every figure worked out by hand in the comment
and asserted to the cent.

Sources: 29 CFR 531.50–.60 and DOL Fact Sheets #15/#15A (tip credit, make-up,
tipped overtime), Ferra v. Loews Hollywood Hotel (2021) 11 Cal.5th 858 (the
meal premium at the regular rate), the DLSE's split-shift offset (8 CCR 11050
§4(C)), 12 NYCRR 146-1.6 (spread of hours), IRS Publication 15 §6 (tips,
withholding from the cash paid, uncollected Social Security and Medicare).
The reference calculator's own worked examples (tests/reference_examples)
cover more cases; these prove the SQL.

One tenant "rs": weekly periods and workweeks from Sunday 2026-03-01, pay
date + 6. Minimum wages (dbt_project/seeds/minimum_wages.csv): US $7.25
(tip credit up to $5.12; Texas has no row of its own), CA $16.90 (no tip
credit), nyc $17.00. Taxes: SS 6.2 %, Medicare 1.45 %, CA 4 % + SDI 1.3 %,
NY 5.5 % (approximations), FIT weekly single: (wage × 52 − 8,600), 10 % over
7,500, /52.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.worked_examples.test_worked_examples import (
    COLUMNS,
    Dataset,
    _cli,
    _isolated_env,
    _query,
    _restore,
    build_with_dbt,
    check,
    check_identities,
    days,
)

SUN, MON, TUE, WED, THU, FRI, SAT = days("2026-03-01", 7)
WK = "2026-03-01"

# §6's optional columns, after §3's
RESTAURANT_COLUMNS = {
    **COLUMNS,
    "locations.csv": [*COLUMNS["locations.csv"], "locality"],
    "pay_rates.csv": [*COLUMNS["pay_rates.csv"], "tip_credit"],
    "attendance.csv": [*COLUMNS["attendance.csv"], "cash_tips", "card_tips"],
}


class RestaurantDataset(Dataset):
    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, rows in self.rows.items():
            if not rows:
                continue
            with (folder / name).open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(
                    handle,
                    fieldnames=RESTAURANT_COLUMNS[name],
                    restval="",
                    lineterminator="\n",
                )
                writer.writeheader()
                writer.writerows(rows)
        return folder

    def tipped_shift(self, staff_id, location_id, day, start, hours, brk=0, cash="0", card="0"):
        event_id = self.shift("rs", staff_id, location_id, "server", day, start, hours, brk)
        self.rows["attendance.csv"][-1].update(cash_tips=cash, card_tips=card)
        return event_id


RS = RestaurantDataset()
RS.tenant("rs", "weekly", WK, "sunday", 6)
RS.location("rs", "AUS", "America/Chicago", "TX")
RS.location("rs", "LA", "America/Los_Angeles", "CA")
RS.location("rs", "NYC", "America/New_York", "NY")
RS.rows["locations.csv"][-1]["locality"] = "nyc"


def _staff(staff_id: str, home: str, rate: str, tip_credit: bool = False) -> None:
    RS.staff("rs", staff_id, home)
    RS.rate("rs", staff_id, "server", rate)
    RS.rows["pay_rates.csv"][-1]["tip_credit"] = "true" if tip_credit else "false"


# TIP1 — 29 CFR 531.60: Texas server at $2.13 with the tip credit, Mon–Fri 9 h,
# $60 card tips a day.
_staff("TIP1", "AUS", "2.13", tip_credit=True)
for _day in (MON, TUE, WED, THU, FRI):
    RS.tipped_shift("TIP1", "AUS", _day, "10:00", 9, card="60.00")

# SHORT — Fact Sheet #15: the same server in a slow week, Mon–Fri 8 h, $10 a day.
_staff("SHORT", "AUS", "2.13", tip_credit=True)
for _day in (MON, TUE, WED, THU, FRI):
    RS.tipped_shift("SHORT", "AUS", _day, "10:00", 8, card="10.00")

# CASH — Publication 15 §6: one 5-hour shift, $400 of cash tips.
_staff("CASH", "AUS", "2.13", tip_credit=True)
CASH_EVENT = RS.tipped_shift("CASH", "AUS", MON, "17:00", 5, cash="400.00")

# MEAL — Ferra: California, $16.90, a 7-hour Tuesday with no break, $100 card
# tips, and a $35 non-discretionary bonus the same day.
_staff("MEAL", "LA", "16.90")
MEAL_EVENT = RS.tipped_shift("MEAL", "LA", TUE, "10:00", 7, card="100.00")
RS.adjustment("rs", "MEALBONUS", "MEAL", TUE, "bonus", "35.00")

# SPLIT — DLSE: California, $18.00, Wednesday 10:00–14:00 and 17:00–21:00.
_staff("SPLIT", "LA", "18.00")
SPLIT_EVENTS = (
    RS.tipped_shift("SPLIT", "LA", WED, "10:00", 4),
    RS.tipped_shift("SPLIT", "LA", WED, "17:00", 4),
)

# SPREAD — 12 NYCRR 146-1.6: New York City, $18.00 (above the $17.00 minimum),
# Thursday 09:00–13:00 and 17:00–22:00: a 13-hour spread.
_staff("SPREAD", "NYC", "18.00")
SPREAD_EVENTS = (
    RS.tipped_shift("SPREAD", "NYC", THU, "09:00", 4),
    RS.tipped_shift("SPREAD", "NYC", THU, "17:00", 5),
)


@pytest.fixture(scope="module")
def restaurant(make_database, tmp_path_factory) -> Iterator[str]:
    """The examples ingested by the CLI, computed by one ``dbt build``."""
    url = make_database("restaurant_examples")
    tmp = tmp_path_factory.mktemp("restaurant_examples")
    patch = _isolated_env(url, tmp / "home")
    try:
        _cli(CliRunner(), "ingest", str(RS.write(tmp / "input")))
    finally:
        _restore(patch)
    build_with_dbt(
        url,
        tmp / "dbt_target",
        (
            "+fct_payroll",
            "+fct_workweek_hours",
            "+fct_pay_premiums",
            "+fct_earnings",
            "+rpt_location_labor_cost",
        ),
        exclude=("unit_test",),
    )
    yield url


def _one(url: str, table: str, staff_id: str, **key: str) -> dict[str, object]:
    where = " and ".join(f"{column} = %s" for column in key)
    rows = _query(
        url,
        f"select * from build.{table} where tenant_id = 'rs' and staff_id = %s and {where}",
        (staff_id, *key.values()),
    )
    assert len(rows) == 1, f"{table} {staff_id} {key}: {len(rows)} rows"
    return rows[0]


def payroll(url: str, staff_id: str) -> dict[str, object]:
    return _one(url, "fct_payroll", staff_id, period_start=WK)


def workweek(url: str, staff_id: str) -> dict[str, object]:
    return _one(url, "fct_workweek_hours", staff_id, workweek_start=WK)


def premiums(url: str, staff_id: str) -> list[dict[str, object]]:
    return _query(
        url,
        "select * from build.fct_pay_premiums where tenant_id = 'rs' and staff_id = %s "
        "order by work_date, kind",
        (staff_id,),
    )


def test_531_60_tipped_overtime_costs_one_and_a_half_minimum_wage_less_the_credit(restaurant):
    # 45 h at $2.13; tips $300.00.
    #   capacity = 45 × min(5.12, 7.25 − 2.13) = 230.40 ≤ tips → tip credit 230.40
    #   straight = 45 × 2.13 = 95.85; required 45 × 7.25 = 326.25 → make-up 0
    #   regular rate = (95.85 + 230.40) / 45 = 7.25
    #   OT premium = 0.5 × 7.25 × 5 = 18.125 → 18.13 (each OT hour: 2.13 + 3.625
    #   = 5.755 = 1.5 × 7.25 − 5.12, as 531.60 says); qualified OT the same
    #   gross = 95.85 + 18.13 + 300.00 card = 413.98
    #   SS 25.66676 → 25.67; Medicare 6.00271 → 6.00
    #   FIT (413.98 × 52 − 8,600 − 7,500) × 10 % / 52 = 10.4365 → 10.44
    #   net = 413.98 − 25.67 − 6.00 − 10.44 = 371.87
    check(
        workweek(restaurant, "TIP1"),
        hours_worked="45",
        overtime_hours="5",
        regular_rate="7.25",
        tips="300.00",
        tip_credit="230.40",
        minimum_wage_makeup_pay="0.00",
        overtime_premium_pay="18.13",
        qualified_overtime_premium="18.13",
    )
    check(
        payroll(restaurant, "TIP1"),
        straight_time_pay="95.85",
        overtime_premium_pay="18.13",
        minimum_wage_makeup_pay="0.00",
        card_tips_pay="300.00",
        cash_tips_reported="0.00",
        tip_credit="230.40",
        qualified_overtime_premium="18.13",
        gross_pay="413.98",
        social_security_tax="25.67",
        medicare_tax="6.00",
        federal_income_tax="10.44",
        net_pay="371.87",
    )


def test_fact_sheet_15_tips_short_of_the_credit_are_made_up(restaurant):
    # 40 h at $2.13; tips $50.00 < capacity 40 × 5.12 = 204.80 → tip credit 50.00
    #   make-up = 40 × 7.25 − 40 × 2.13 − 50.00 = 290.00 − 85.20 − 50.00 = 154.80
    #   gross = 85.20 + 154.80 + 50.00 = 290.00 (= 40 × 7.25: the minimum wage)
    #   SS 17.98; Medicare 4.205 → 4.21; FIT 0 (290 × 52 − 8,600 < 7,500)
    #   net = 290.00 − 17.98 − 4.21 = 267.81
    check(
        workweek(restaurant, "SHORT"),
        tips="50.00",
        tip_credit="50.00",
        minimum_wage_makeup_pay="154.80",
        regular_rate="7.25",
    )
    check(
        payroll(restaurant, "SHORT"),
        straight_time_pay="85.20",
        minimum_wage_makeup_pay="154.80",
        card_tips_pay="50.00",
        gross_pay="290.00",
        social_security_tax="17.98",
        medicare_tax="4.21",
        federal_income_tax="0.00",
        net_pay="267.81",
    )


def test_pub_15_cash_tips_beyond_the_cash_wage_leave_social_security_uncollected(restaurant):
    # 5 h at $2.13 = 10.65; cash tips 400.00: tip credit min(5 × 5.12, 400) =
    # 25.60, make-up 36.25 − 10.65 − 25.60 = 0; gross 410.65, cash paid 10.65.
    #   on the wages other than tips (10.65): SS 0.6603 → 0.66, Medicare
    #   0.154425 → 0.15, FIT 0 → cash left 10.65 − 0.81 = 9.84
    #   on all wages (410.65): SS 25.4603 → 25.46, Medicare 5.954425 → 5.95
    #   SS on the tips 25.46 − 0.66 = 24.80: 9.84 taken, nothing left
    #   SS 0.66 + 9.84 = 10.50, uncollected 25.46 − 10.50 = 14.96
    #   Medicare 0.15, uncollected 5.95 − 0.15 = 5.80; FIT on the tips: no cash
    #   net = 410.65 − 400.00 − 10.50 − 0.15 = 0.00; employer SS 25.46 in full
    #   FUTA 0.6 % × 410.65 = 2.4639 → 2.46
    check(
        payroll(restaurant, "CASH"),
        straight_time_pay="10.65",
        cash_tips_reported="400.00",
        tip_credit="25.60",
        gross_pay="410.65",
        social_security_tax="10.50",
        medicare_tax="0.15",
        federal_income_tax="0.00",
        uncollected_social_security_tax="14.96",
        uncollected_medicare_tax="5.80",
        net_pay="0.00",
        employer_social_security_tax="25.46",
        employer_medicare_tax="5.95",
        futa_tax="2.46",
    )


def test_ferra_meal_premium_is_an_hour_at_the_regular_rate(restaurant):
    # CA: no tip credit, so the $100 tips add nothing to the regular rate.
    #   straight 7 × 16.90 = 118.30; regular rate (118.30 + 35.00 bonus) / 7 =
    #   21.90 — Ferra: the premium is at the regular rate, not the base 16.90
    #   meal premium (7 h > 6, no break) = 21.90
    #   gross = 118.30 + 35.00 + 21.90 + 100.00 = 275.20
    #   SS 17.0624 → 17.06; Medicare 3.9904 → 3.99; SDI 3.5776 → 3.58
    #   CA 4 % 11.008 → 11.01; FIT 0 (275.20 × 52 − 8,600 < 7,500)
    #   net = 275.20 − 17.06 − 3.99 − 3.58 − 11.01 = 239.56
    [meal] = premiums(restaurant, "MEAL")
    check(meal, hours="1", rate="21.90", amount="21.90", work_date=TUE, period_start=WK)
    assert (meal["kind"], meal["location_id"], meal["source_ids"]) == (
        "meal_period",
        "LA",
        [MEAL_EVENT],
    )
    check(
        payroll(restaurant, "MEAL"),
        straight_time_pay="118.30",
        bonus_pay="35.00",
        premium_pay="21.90",
        card_tips_pay="100.00",
        tip_credit="0.00",
        gross_pay="275.20",
        social_security_tax="17.06",
        medicare_tax="3.99",
        state_disability_tax="3.58",
        state_income_tax="11.01",
        net_pay="239.56",
    )


def test_dlse_split_shift_premium_is_offset_by_pay_above_the_minimum(restaurant):
    # 8 h at $18.00 = 144.00 with a 3-hour gap (> 60 min): the premium is the
    # minimum wage for the hours plus one, less the day's pay:
    #   16.90 × (8 + 1) − 144.00 = 152.10 − 144.00 = 8.10
    # The 3-hour gap is a meal period (≥ 30 min): no meal premium.
    #   gross 152.10; SS 9.4302 → 9.43; Medicare 2.20545 → 2.21;
    #   SDI 1.9773 → 1.98; CA 4 % 6.084 → 6.08; FIT 0
    #   net = 152.10 − 9.43 − 2.21 − 1.98 − 6.08 = 132.40
    [split] = premiums(restaurant, "SPLIT")
    check(split, rate="16.90", amount="8.10", work_date=WED)
    assert (split["kind"], split["source_ids"]) == ("split_shift", sorted(SPLIT_EVENTS))
    check(
        payroll(restaurant, "SPLIT"),
        straight_time_pay="144.00",
        premium_pay="8.10",
        gross_pay="152.10",
        social_security_tax="9.43",
        medicare_tax="2.21",
        state_disability_tax="1.98",
        state_income_tax="6.08",
        net_pay="132.40",
    )


def test_12_nycrr_146_1_6_spread_of_hours_whatever_the_rate(restaurant):
    # NYC, $18.00, 09:00–13:00 and 17:00–22:00: 9 h worked, spread 13 h > 10.
    # Hospitality: one hour at the basic minimum wage (nyc 17.00) even above it.
    #   straight 9 × 18.00 = 162.00; gross 179.00
    #   SS 11.098 → 11.10; Medicare 2.5955 → 2.60; NY 5.5 % 9.845 → 9.85; FIT 0
    #   net = 179.00 − 11.10 − 2.60 − 9.85 = 155.45
    [spread] = premiums(restaurant, "SPREAD")
    check(spread, rate="17.00", amount="17.00", work_date=THU)
    assert (spread["kind"], spread["location_id"]) == ("spread_of_hours", "NYC")
    check(
        payroll(restaurant, "SPREAD"),
        straight_time_pay="162.00",
        premium_pay="17.00",
        gross_pay="179.00",
        social_security_tax="11.10",
        medicare_tax="2.60",
        state_income_tax="9.85",
        net_pay="155.45",
    )


def test_no_other_premium_is_earned(restaurant):
    # Only MEAL, SPLIT and SPREAD trip a premium rule: the Texas days are not
    # in a state with premiums, and SPLIT's gap is a meal period.
    rows = _query(restaurant, "select staff_id, kind from build.fct_pay_premiums order by staff_id")
    assert [(r["staff_id"], r["kind"]) for r in rows] == [
        ("MEAL", "meal_period"),
        ("SPLIT", "split_shift"),
        ("SPREAD", "spread_of_hours"),
    ]


def test_both_identities_and_the_earnings_lines_hold_on_every_row(restaurant):
    rows = _query(restaurant, "select * from build.fct_payroll where tenant_id = 'rs'")
    assert len(rows) == 6
    for row in rows:
        check_identities(row)
    lines = _query(
        restaurant,
        "select staff_id, payroll_column, sum(amount) as amount from build.fct_earnings "
        "where tenant_id = 'rs' group by 1, 2",
    )
    by_column = {(r["staff_id"], r["payroll_column"]): r["amount"] for r in lines}
    assert by_column["CASH", "cash_tips_reported"] == 400
    assert by_column["SHORT", "minimum_wage_makeup_pay"] == Decimal("154.80")
    assert by_column["MEAL", "premium_pay"] == Decimal("21.90")
