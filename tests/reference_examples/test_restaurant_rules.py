"""CONTRACT §6 worked examples from the regulations, as tests of the reference
calculator (``tests/reference/payroll.py``), each asserted to the cent with
its hand computation in a comment.

Sources (quoted where used):
- 29 CFR 531.60 (eCFR, as amended 85 FR 86791, Dec. 30, 2020).
- DOL WHD Field Assistance Bulletin 2016-4 (www.dol.gov/whd/FieldBulletins/fab2016_4.htm).
- DOL WHD Fact Sheet #15, and the WHD "FLSA Overtime Calculator Advisor",
  Overtime Calculation Examples for Tipped Employees
  (webapps.dol.gov/elaws/whd/flsa/otcalc/otExampleTipped725.asp), which
  carries the tipped-overtime arithmetic of Fact Sheet #15A. The text of
  #15A itself could not be retrieved here; its rule (overtime on the full
  minimum wage, the tip credit the same in overtime hours) is quoted from
  the Advisor.
- Ferra v. Loews Hollywood Hotel, LLC, 11 Cal.5th 858 (2021), S259172.
- California Labor Commissioner (DLSE), FAQ on split shifts, as quoted by
  CalChamber HRWatchdog (2018-10) and others.
- 12 NYCRR 146-1.6 (Hospitality Industry Wage Order).
- CONTRACT §6 for the withholding order (IRS Publication 15 §6).

Minimum wages are those of ``tests/reference/minimum_wages_2026.csv``:
US $7.25 (tip credit up to $5.12), CA $16.90 (none), CO $15.16 / denver
$19.29 (up to $3.02), IL $15.00 ($6.00) / chicago $16.60 ($3.98), NY $16.00 /
nyc $17.00 ($5.65), AK $13.00, $14.00 from 2026-07-01 (none). Texas has no
row: the federal one applies.
"""

from __future__ import annotations

import csv
import datetime as dt
from fractions import Fraction

import pytest

from tests.reference import payroll as ref
from tests.reference_examples.builder import (
    FRI,
    MINIMUM_WAGES,
    MON,
    ROOT,
    SUN,
    THU,
    TUE,
    WED,
    Case,
    D,
    check,
    identities_hold,
    pay_row,
    premiums_of,
    week_row,
)

WEEKDAYS = (MON, TUE, WED, THU, FRI)


def _tipped_texan(hours_a_day: float, days=WEEKDAYS, **tips: str) -> Case:
    """A Texas server at the federal tipped cash wage of $2.13 with the tip credit."""
    case = Case().location("AUS", "TX").staff("S", "AUS").rate("S", "2.13", tip_credit=True)
    for day in days:
        case.shift("S", "AUS", day, "10:00", hours_a_day, **tips)
    return case


# ---------------------------------------------------------------- tip credit and overtime


def test_531_60_tipped_overtime_is_paid_on_the_full_minimum_wage():
    # 29 CFR 531.60: "a tipped employee's regular rate of pay includes the
    # amount of tip credit taken by the employer per hour (not in excess of the
    # minimum wage required by section 6(a)(1) minus the cash wage paid (at
    # least $2.13))". FAB 2016-4: "An employer who pays a cash wage paid of
    # $2.13 per hour may claim an FLSA 3(m) tip credit of $5.12 per hour
    # ($7.25 - $2.13)".
    #
    # Texas (federal $7.25), $2.13 cash wage, Mon-Fri 9 h = 45 h, $60 card tips a day.
    #   capacity = 45 x min(5.12, 7.25 - 2.13) = 230.40; tips 300.00 >= it
    #   tip credit = 230.40; straight time = 45 x 2.13 = 95.85
    #   make-up = max(0, 45 x 7.25 - 95.85 - 230.40) = max(0, 326.25 - 326.25) = 0
    #   regular rate = (95.85 + 230.40) / 45 = 7.25 (not 2.13)
    #   overtime premium = 0.5 x 7.25 x 5 = 18.125 -> 18.13 (on $2.13 it would be 5.33)
    #   cash wages = 95.85 + 18.13 = 113.98, i.e. 40 x 2.13 + 5 x (1.5 x 7.25 - 5.12)
    #   = 85.20 + 28.775 = 113.975 to the half cent
    #   gross = 95.85 + 18.13 + 300.00 card tips = 413.98
    result = _tipped_texan(9, card_tips="60").compute()
    check(
        week_row(result, "S"),
        hours_worked="45",
        overtime_hours="5",
        straight_time_pay="95.85",
        tips="300.00",
        tip_credit="230.40",
        minimum_wage_makeup_pay="0.00",
        regular_rate="7.2500",
        overtime_premium_pay="18.13",
        qualified_overtime_premium="18.13",
    )
    row = pay_row(result, "S")
    check(
        row,
        straight_time_pay="95.85",
        overtime_premium_pay="18.13",
        minimum_wage_makeup_pay="0.00",
        card_tips_pay="300.00",
        cash_tips_reported="0.00",
        gross_pay="413.98",
        tip_credit="230.40",
    )
    assert row.straight_time_pay + row.overtime_premium_pay == D("113.98")
    assert identities_hold(row)


def test_dol_tipped_overtime_example_fifty_hours():
    # WHD Overtime Calculator Advisor (Fact Sheet #15A's arithmetic): "assume
    # that the employee worked 50 hours in a tipped occupation ... received
    # tips sufficient to equal at least the minimum required ... The employer
    # pays a direct cash wage of $2.13 per hour and claims a tip credit of
    # $5.12 per hour: ... $7.25 per hour Regular rate of pay; $7.25 x 50 hours =
    # $362.50 total straight-time earnings; $7.25 x 0.5 x 10 overtime hours =
    # $36.25 additional half-time pay; ... $398.75". "The tip credit claimed
    # during overtime hours may not be different from the tip credit claimed
    # for straight-time hours."
    #
    # Mon-Fri 10 h, $80 card tips a day (400.00 >= capacity 50 x 5.12 = 256.00):
    #   straight 50 x 2.13 = 106.50; tip credit 256.00; 106.50 + 256.00 = 362.50
    #   regular rate 362.50 / 50 = 7.25; premium 0.5 x 7.25 x 10 = 36.25
    #   362.50 + 36.25 = 398.75; the employer's cash wages 106.50 + 36.25 = 142.75
    result = _tipped_texan(10, card_tips="80").compute()
    week = week_row(result, "S")
    check(
        week,
        straight_time_pay="106.50",
        tip_credit="256.00",
        minimum_wage_makeup_pay="0.00",
        regular_rate="7.2500",
        overtime_hours="10",
        overtime_premium_pay="36.25",
    )
    assert week.straight_time_pay + week.tip_credit == D("362.50")
    assert week.straight_time_pay + week.tip_credit + week.overtime_premium_pay == D("398.75")
    assert week.straight_time_pay + week.overtime_premium_pay == D("142.75")


def test_fact_sheet_15_makeup_when_tips_fall_short():
    # Fact Sheet #15 / the FLSA poster: "If an employee's tips combined with the
    # employer's cash wage of at least $2.13 per hour do not equal the minimum
    # hourly wage, the employer must make up the difference" -- per workweek
    # (FS #15: "enough tips from customers and direct wages per workweek").
    #
    # Mon-Fri 8 h = 40 h at $2.13, $20 cash tips a day = 100.00 < capacity 204.80:
    #   tip credit = min(204.80, 100.00) = 100.00; straight 40 x 2.13 = 85.20
    #   make-up = 40 x 7.25 - 85.20 - 100.00 = 290.00 - 185.20 = 104.80
    #   regular rate = (85.20 + 100.00 + 104.80) / 40 = 7.25
    #   gross = 85.20 + 104.80 + 100.00 cash tips reported = 290.00
    # Taxes (Texas: no state tax), cash to withhold from = 290.00 - 100.00 = 190.00:
    #   Social Security 6.2 % x 290.00 = 17.98; Medicare 1.45 % x 290.00 = 4.205 -> 4.21
    #   federal: 290.00 x 52 = 15,080 - 8,600 (line 1g) = 6,480, in the 0 % bracket -> 0
    #   net = 290.00 - 100.00 - 17.98 - 4.21 = 167.81, all withheld (190.00 covers it)
    result = _tipped_texan(8, cash_tips="20").compute()
    check(
        week_row(result, "S"),
        tips="100.00",
        tip_credit="100.00",
        minimum_wage_makeup_pay="104.80",
        regular_rate="7.2500",
        overtime_premium_pay="0.00",
    )
    row = pay_row(result, "S")
    check(
        row,
        straight_time_pay="85.20",
        minimum_wage_makeup_pay="104.80",
        cash_tips_reported="100.00",
        gross_pay="290.00",
        social_security_tax="17.98",
        medicare_tax="4.21",
        federal_income_tax="0.00",
        net_pay="167.81",
        uncollected_social_security_tax="0.00",
        uncollected_medicare_tax="0.00",
        employer_social_security_tax="17.98",
        employer_medicare_tax="4.21",
    )
    assert identities_hold(row)


def test_short_tips_in_an_overtime_week_make_up_to_the_minimum_wage_then_overtime_on_it():
    # Fact Sheet #15 with 29 CFR 531.60: Mon-Fri 10 h = 50 h at $2.13, $10 cash tips a day:
    #   tip credit = min(50 x 5.12, 50.00) = 50.00; straight 50 x 2.13 = 106.50
    #   make-up = 50 x 7.25 - 106.50 - 50.00 = 362.50 - 156.50 = 206.00
    #   regular rate = (106.50 + 50.00 + 206.00) / 50 = 7.25
    #   overtime premium = 0.5 x 7.25 x 10 = 36.25; gross = 106.50 + 36.25 + 206.00 + 50.00
    #   = 398.75, the Advisor's total for 50 hours
    result = _tipped_texan(10, cash_tips="10").compute()
    check(
        week_row(result, "S"),
        tip_credit="50.00",
        minimum_wage_makeup_pay="206.00",
        regular_rate="7.2500",
        overtime_premium_pay="36.25",
    )
    check(pay_row(result, "S"), gross_pay="398.75", cash_tips_reported="50.00")


def _denver_server(tips_a_day: str) -> Case:
    case = Case().location("DEN", "CO", locality="denver").staff("S", "DEN")
    case.rate("S", "16.27", tip_credit=True)
    for day in WEEKDAYS:
        case.shift("S", "DEN", day, "16:00", 6, card_tips=tips_a_day)
    return case


def test_tips_covering_the_capacity_pay_no_makeup():
    # Denver: the highest of US 7.25, CO 15.16 and denver 19.29 is denver's,
    # with its tip credit of up to 3.02 (tipped cash wage 16.27).
    # Mon-Fri 6 h = 30 h at $16.27, $30 card tips a day:
    #   capacity = 30 x min(3.02, 19.29 - 16.27) = 90.60 <= tips 150.00 -> tip credit 90.60
    #   straight 30 x 16.27 = 488.10; make-up = 30 x 19.29 - 488.10 - 90.60
    #   = 578.70 - 578.70 = 0; regular rate (488.10 + 90.60) / 30 = 19.29
    #   gross = 488.10 + 150.00 = 638.10
    result = _denver_server("30").compute()
    check(
        week_row(result, "S"),
        tip_credit="90.60",
        minimum_wage_makeup_pay="0.00",
        regular_rate="19.2900",
    )
    check(pay_row(result, "S"), gross_pay="638.10", minimum_wage_makeup_pay="0.00")


def test_tips_just_short_of_the_capacity_make_up_the_last_cent():
    # Tips exactly 90.60 (18.12 a day) still cover it: make-up 0.
    # Tips 90.55 (18.11 a day): tip credit 90.55, make-up 578.70 - 488.10 - 90.55 = 0.05.
    check(week_row(_denver_server("18.12").compute(), "S"), minimum_wage_makeup_pay="0.00")
    check(
        week_row(_denver_server("18.11").compute(), "S"),
        tip_credit="90.55",
        minimum_wage_makeup_pay="0.05",
    )


def test_no_tip_credit_in_california_so_the_makeup_pays_the_full_minimum_wage():
    # CA's row has no max_tip_credit (Labor Code 351): a tip_credit rate of
    # $10.00 earns no credit, whatever the tips. Mon 10:00-20:00 with a 30 min break = 9.5 h:
    #   capacity 0 -> tip credit 0; make-up = 9.5 x 16.90 - 9.5 x 10.00 = 160.55 - 95.00 = 65.55
    #   regular rate 16.90; daily overtime 1.5 h: premium 0.5 x 16.90 x 1.5 = 12.675 -> 12.68
    case = Case().location("LA", "CA").staff("S", "LA").rate("S", "10.00", tip_credit=True)
    case.shift("S", "LA", MON, "10:00", 10, break_minutes=30, card_tips="500")
    result = case.compute()
    check(
        week_row(result, "S"),
        tip_credit="0.00",
        minimum_wage_makeup_pay="65.55",
        regular_rate="16.9000",
        overtime_hours="1.5",
        overtime_premium_pay="12.68",
    )


def test_the_minimum_wage_of_a_part_is_the_highest_in_effect_on_its_work_date():
    # Alaska: $13.00, then $14.00 from 2026-07-01 (no tip credit). A $12.00
    # rate, 8 h on Mon 2026-06-29 and 8 h on Thu 2026-07-02 (one workweek):
    #   required = 8 x 13.00 + 8 x 14.00 = 216.00; straight 16 x 12.00 = 192.00
    #   make-up = 24.00
    case = Case().location("ANC", "AK").staff("S", "ANC").rate("S", "12.00")
    monday = dt.date(2026, 6, 29)
    case.shift("S", "ANC", monday, "09:00", 8).shift("S", "ANC", dt.date(2026, 7, 2), "09:00", 8)
    check(week_row(case.compute(), "S", monday), minimum_wage_makeup_pay="24.00")

    # Chicago: chicago $16.60 beats IL $15.00, and its tip credit (3.98) is the
    # one that applies, not Illinois' 6.00. $9.00 tipped rate, 10 h, $200 tips:
    #   capacity = 10 x min(3.98, 16.60 - 9.00) = 39.80 -> tip credit 39.80
    #   make-up = 10 x 16.60 - 90.00 - 39.80 = 36.20
    case = Case().location("CHI", "IL", locality="chicago").staff("S", "CHI")
    case.rate("S", "9.00", tip_credit=True).shift("S", "CHI", MON, "12:00", 10, card_tips="200")
    check(week_row(case.compute(), "S"), tip_credit="39.80", minimum_wage_makeup_pay="36.20")


def test_a_tie_between_minimum_wages_goes_to_the_smaller_tip_credit():
    # A made-up table: US 7.25 (tip credit 5.12), ZZ 7.25 (3.00), YY 7.25 (none).
    # 10 h at $2.13 with the tip credit, $100 tips:
    #   in ZZ: capacity 10 x min(3.00, 5.12) = 30.00; make-up 72.50 - 21.30 - 30.00 = 21.20
    #   in YY: empty counts as 0 and wins: no tip credit; make-up 72.50 - 21.30 = 51.20
    def row(jurisdiction, credit):
        return ref.MinimumWage(
            jurisdiction,
            dt.date(2026, 1, 1),
            Fraction(725, 100),
            None if credit is None else Fraction(725, 100) - credit,
            credit,
        )

    table = ref.MinimumWages(
        (row("US", Fraction(512, 100)), row("ZZ", Fraction(3)), row("YY", None))
    )
    for state, tip_credit, makeup in (("ZZ", "30.00", "21.20"), ("YY", "0.00", "51.20")):
        case = Case().location("L", state, zone="America/Chicago").staff("S", "L")
        case.rate("S", "2.13", tip_credit=True).shift("S", "L", MON, "10:00", 10, card_tips="100")
        check(
            week_row(case.compute(table), "S"),
            tip_credit=tip_credit,
            minimum_wage_makeup_pay=makeup,
        )


# ---------------------------------------------------------------- California premiums


def _bartender_in_la(rate: str = "20.00") -> Case:
    return Case().location("LA", "CA").staff("S", "LA").rate("S", rate)


def test_ferra_meal_premium_is_paid_at_the_regular_rate_with_nondiscretionary_pay():
    # Ferra v. Loews (Cal. 2021): "regular rate of compensation" in Labor Code
    # 226.7(c), like "regular rate of pay" in 510(a), "encompasses all
    # nondiscretionary payments", so the premium for a missed meal period is
    # one hour at the regular rate, not at the base hourly wage.
    #
    # Bartender at $20.00, Mon-Thu 08:00-16:30 with a 30 min break (8 h), Fri
    # 08:00-16:00 with none (8 h > 6 h, no meal period), $100 non-discretionary bonus:
    #   regular rate = (40 x 20.00 + 100.00) / 40 = 22.50
    #   meal premium Fri = 1 x 22.50 (at the base wage it would be 20.00)
    #   no overtime (no day over 8 h, 40 h); gross = 800.00 + 100.00 + 22.50 = 922.50
    case = _bartender_in_la()
    for day in (MON, TUE, WED, THU):
        case.shift("S", "LA", day, "08:00", 8.5, break_minutes=30)
    case.shift("S", "LA", FRI, "08:00", 8).bonus("S", WED, "100.00")
    result = case.compute()
    assert premiums_of(result, "S") == {
        (FRI, "meal_period"): ref.PremiumRow(
            "t", "S", FRI, "meal_period", "LA", D(1), D("22.5000"), D("22.50"), MON
        )
    }
    row = pay_row(result, "S")
    check(
        row,
        straight_time_pay="800.00",
        bonus_pay="100.00",
        premium_pay="22.50",
        overtime_premium_pay="0.00",
        gross_pay="922.50",
    )
    assert identities_hold(row)


@pytest.mark.parametrize(
    ("shifts", "premium"),
    [
        ([("08:00", 6, 0)], None),  # 6 h is not more than 6 h
        ([("08:00", 6.05, 0)], "20.00"),  # 6 h 3 min with no break: one hour at 20.00
        ([("08:00", 8, 30)], None),  # a 30 min break
        ([("08:00", 4, 0), ("12:30", 4, 0)], None),  # a 30 min gap between two shifts
        # a 29 min break, then a 29 min gap: 7 h 31 min worked, no meal period
        ([("08:00", 4, 29), ("12:29", 4, 0)], "20.00"),
    ],
)
def test_a_meal_premium_is_owed_only_for_a_day_over_six_hours_without_a_meal_period(
    shifts, premium
):
    # Labor Code 512: a meal period of at least 30 minutes for a workday over 6 h;
    # 226.7(c): one additional hour at the regular rate (here the rate, $20.00).
    case = _bartender_in_la()
    for start, hours_on_clock, pause in shifts:
        case.shift("S", "LA", MON, start, hours_on_clock, break_minutes=pause)
    found = premiums_of(case.compute(), "S").get((MON, "meal_period"))
    assert (found.amount if found else None) == (D(premium) if premium else None)


def test_dlse_split_shift_faq_example():
    # DLSE FAQ: "I make $12 per hour and minimum wage is currently $11 per hour.
    # I work six total hours in a workday ... the minimum wage for your workday
    # that includes a split shift is $77 (six hours times $11 plus an additional
    # $11 for the split shift premium). If you are only paid $72 (six hours
    # times $12), you are due $5 ($77 - $72 = $5)". The FAQ's $11 minimum wage
    # as a one-row table for CA:
    #   premium = max(0, 11.00 x (6 + 1) - 6 x 12.00) = 77.00 - 72.00 = 5.00
    table = ref.MinimumWages(
        (
            *(r for r in MINIMUM_WAGES.rows if r.jurisdiction != "CA"),
            ref.MinimumWage("CA", dt.date(2026, 1, 1), Fraction(11), None, None),
        )
    )
    case = _bartender_in_la("12.00")
    case.shift("S", "LA", MON, "11:00", 3).shift("S", "LA", MON, "17:00", 3)  # gap 3 h
    premium = premiums_of(case.compute(table), "S")[MON, "split_shift"]
    assert (premium.rate, premium.amount, premium.hours) == (D("11.0000"), D("5.00"), D(1))


@pytest.mark.parametrize(
    ("rate", "gap_minutes", "premium"),
    [
        # 6 h worked in two shifts, CA 2026 minimum wage 16.90:
        ("17.90", 180, "10.90"),  # 16.90 x 7 - 17.90 x 6 = 118.30 - 107.40 = 10.90
        ("16.90", 180, "16.90"),  # at the minimum wage the full hour: 118.30 - 101.40
        ("19.71", 180, "0.04"),  # 118.30 - 118.26 = 0.04
        ("20.00", 180, None),  # 118.30 - 120.00 < 0: nothing, no row
        ("16.90", 61, "16.90"),  # a gap over 60 minutes
        ("16.90", 60, None),  # a gap of exactly 60 minutes is no split shift
    ],
)
def test_split_shift_premium_is_reduced_by_the_pay_above_minimum_wage(rate, gap_minutes, premium):
    # DLSE: "one hour's pay at the minimum wage shall be paid in addition to the
    # minimum wage for that workday" (IWC Wage Order 5, section 4(C)); pay above
    # the minimum wage that day offsets it. Premiums are not hours worked: the
    # day stays 6 h, the week's regular rate stays the rate.
    case = _bartender_in_la(rate)
    case.shift("S", "LA", MON, "10:00", 3)
    afternoon = dt.datetime(2026, 3, 2, 13, 0) + dt.timedelta(minutes=gap_minutes)
    case.shift("S", "LA", MON, afternoon.strftime("%H:%M"), 3)
    result = case.compute()
    found = premiums_of(result, "S").get((MON, "split_shift"))
    assert (found.amount if found else None) == (D(premium) if premium else None)
    check(week_row(result, "S"), hours_worked="6", regular_rate=f"{D(rate):.4f}")
    assert pay_row(result, "S").premium_pay == D(premium or 0)


# ---------------------------------------------------------------- New York spread of hours


def test_ny_spread_of_hours_one_hour_at_the_nyc_minimum_wage():
    # 12 NYCRR 146-1.6: "(a) On each day on which the spread of hours exceeds
    # 10, an employee shall receive one additional hour of pay at the basic
    # minimum hourly rate. ... (c) The additional hour of pay is not a payment
    # for time worked or work performed and need not be included in the regular
    # rate ... (d) This section shall apply to all employees in restaurants and
    # all-year hotels, regardless of a given employee's regular rate of pay."
    #
    # New York City (nyc $17.00 beats NY $16.00), 11:00-14:00 and 17:00-22:00:
    # 8 h worked, spread 11 h.
    #   a cook at $25.00: premium 1 x 17.00; gross 8 x 25.00 + 17.00 = 217.00
    #   a server at the nyc tipped cash wage $11.35 with $100 tips: the premium is
    #   still 17.00 (the full minimum wage, never 11.35); capacity 8 x 5.65 = 45.20,
    #   make-up 8 x 17.00 - 8 x 11.35 - 45.20 = 136.00 - 90.80 - 45.20 = 0
    case = Case().location("NYC", "NY", locality="nyc")
    case.staff("C", "NYC").rate("C", "25.00", role="cook")
    case.staff("W", "NYC").rate("W", "11.35", tip_credit=True)
    case.shift("C", "NYC", MON, "11:00", 3, role="cook").shift(
        "C", "NYC", MON, "17:00", 5, role="cook"
    )
    case.shift("W", "NYC", MON, "11:00", 3, card_tips="40").shift(
        "W", "NYC", MON, "17:00", 5, card_tips="60"
    )
    result = case.compute()
    for staff_id in ("C", "W"):
        premium = premiums_of(result, staff_id)[MON, "spread_of_hours"]
        assert (premium.location_id, premium.rate, premium.amount) == (
            "NYC",
            D("17.0000"),
            D("17.00"),
        )
    check(pay_row(result, "C"), straight_time_pay="200.00", premium_pay="17.00", gross_pay="217.00")
    check(week_row(result, "C"), hours_worked="8", regular_rate="25.0000")
    check(week_row(result, "W"), tip_credit="45.20", minimum_wage_makeup_pay="0.00")


def test_ny_spread_of_exactly_ten_hours_earns_nothing_and_upstate_earns_the_state_rate():
    # 11:00-14:00 and 18:00-21:00: spread 10 h, not over 10: no premium.
    # Albany (no locality): 11:00-14:00 and 17:00-22:00, spread 11 h: 1 x NY 16.00.
    case = Case().location("NYC", "NY", locality="nyc").location("ALB", "NY")
    case.staff("A", "NYC").rate("A", "25.00").staff("B", "ALB").rate("B", "25.00")
    case.shift("A", "NYC", MON, "11:00", 3).shift("A", "NYC", MON, "18:00", 3)
    case.shift("B", "ALB", MON, "11:00", 3).shift("B", "ALB", MON, "17:00", 5)
    result = case.compute()
    assert premiums_of(result, "A") == {}
    assert premiums_of(result, "B")[MON, "spread_of_hours"].amount == D("16.00")


def test_a_premium_day_in_two_locations_takes_the_location_with_most_hours():
    # Manhattan 07:00-12:00 (5 h), then Albany 13:00-18:00 (5 h): a tie, so the
    # earliest part's location (NYC) is the premium's; its minimum wage is the
    # highest of the day's parts (nyc 17.00). Spread 11 h -> 17.00.
    case = Case().location("NYC", "NY", locality="nyc").location("ALB", "NY")
    case.staff("S", "ALB").rate("S", "25.00")
    case.shift("S", "NYC", MON, "07:00", 5).shift("S", "ALB", MON, "13:00", 5)
    premium = premiums_of(case.compute(), "S")[MON, "spread_of_hours"]
    assert (premium.location_id, premium.amount) == ("NYC", D("17.00"))


# ---------------------------------------------------------------- state of a workday


def test_a_workday_follows_the_state_with_most_hours_and_a_tie_the_earliest_part():
    # $20.00. 9 h in Texas then 1 h in California: Texas, no daily overtime.
    # 5 h in California (06:00-11:00 Pacific) then 5 h in Texas (14:00-19:00
    # Central, an hour later): a tie; California's part is the earlier, so the
    # 10 h day has 2 h of CA daily overtime: premium 0.5 x 20.00 x 2 = 20.00
    # (no meal premium: the 60 min gap between them is a meal period).
    # 5 h in Texas (06:00-11:00 Central) then 5 h in California: Texas, none.
    cases = {
        "most in TX": [("AUS", "06:00", 9), ("LA", "18:00", 1)],
        "tie, CA first": [("LA", "06:00", 5), ("AUS", "14:00", 5)],
        "tie, TX first": [("AUS", "06:00", 5), ("LA", "10:00", 5)],
    }
    for name, shifts in cases.items():
        case = Case().location("AUS", "TX").location("LA", "CA")
        case.staff("S", "AUS").rate("S", "20.00")
        for location_id, start, length in shifts:
            case.shift("S", location_id, MON, start, length)
        for restaurant in (True, False):  # the rule is §4's daily overtime too
            result = case.compute(restaurant=restaurant)
            premium = "20.00" if name == "tie, CA first" else "0.00"
            check(week_row(result, "S"), overtime_premium_pay=premium)
            assert premiums_of(result, "S") == {}, name


# ---------------------------------------------------------------- qualified overtime


def test_qualified_overtime_is_the_flsa_premium_only():
    # California, $20.00, Mon-Thu 12 h = 48 h: CA daily overtime 4 x 4 h = 16 h
    # (premium 0.5 x 20.00 x 16 = 160.00), FLSA weekly overtime 48 - 40 = 8 h;
    # qualified overtime (W-2 code TT) = 0.5 x 20.00 x 8 = 80.00, informational.
    case = _bartender_in_la()
    for day in (MON, TUE, WED, THU):
        case.shift("S", "LA", day, "08:00", 12.5, break_minutes=30)
    result = case.compute()
    check(
        week_row(result, "S"),
        overtime_hours="16",
        overtime_premium_pay="160.00",
        qualified_overtime_premium="80.00",
    )
    row = pay_row(result, "S")
    check(row, qualified_overtime_premium="80.00", gross_pay="1120.00")  # 960 + 160
    assert identities_hold(row)


# ---------------------------------------------------------------- tips as wages, withholding


def test_cash_tips_make_a_zero_check_with_social_security_and_medicare_uncollected():
    # Tips are wages for every tax, but cash tips are already in the employee's
    # hands: withholding takes only gross - cash tips. Social Security and
    # Medicare that cannot be withheld are uncollected (W-2 box 12 codes A, B).
    #
    # Texas, $2.13 with the tip credit, Mon-Fri 6 h = 30 h, $200 cash tips a day:
    #   capacity 30 x 5.12 = 153.60 <= 1,000 -> tip credit 153.60; make-up
    #   30 x 7.25 - 63.90 - 153.60 = 0; gross = 63.90 + 1,000.00 = 1,063.90
    #   cash to withhold from = 63.90
    # (2) on the wages other than tips (63.90): SS 6.2 % = 3.9618 -> 3.96,
    #     Medicare 1.45 % = 0.92655 -> 0.93, federal 63.90 x 52 = 3,322.80 < 8,600 -> 0
    #     left 63.90 - 3.96 - 0.93 = 59.01
    # (3) on the tips: SS 6.2 % x 1,063.90 = 65.9618 -> 65.96, less 3.96 = 62.00,
    #     only 59.01 left -> withheld 59.01, left 0; Medicare 15.42655 -> 15.43,
    #     less 0.93 = 14.50 -> 0
    # (4) federal on 1,063.90: 55,322.80 - 8,600 = 46,722.80; 1,240 + 12 % x 26,822.80
    #     = 4,458.736 / 52 = 85.74 -> nothing left, not withheld
    #   SS withheld 3.96 + 59.01 = 62.97, uncollected 65.96 - 62.97 = 2.99
    #   Medicare withheld 0.93, uncollected 15.43 - 0.93 = 14.50
    #   net = 1,063.90 - 1,000.00 - 62.97 - 0.93 = 0.00
    # The employer's shares apply to all wages: SS 65.96, Medicare 15.43; FUTA
    # 0.6 % x 1,063.90 = 6.3834 -> 6.38.
    result = _tipped_texan(6, cash_tips="200").compute()
    row = pay_row(result, "S")
    check(
        row,
        gross_pay="1063.90",
        cash_tips_reported="1000.00",
        social_security_tax="62.97",
        medicare_tax="0.93",
        federal_income_tax="0.00",
        uncollected_social_security_tax="2.99",
        uncollected_medicare_tax="14.50",
        net_pay="0.00",
        employer_social_security_tax="65.96",
        employer_medicare_tax="15.43",
        futa_tax="6.38",
    )
    assert identities_hold(row)


def _californian_with_cash_tips(retirement: str) -> Case:
    # $20.00, Mon-Thu 5 h = 20 h = 400.00, $150 cash tips a shift = 600.00;
    # section 125 50.00, 401(k) as given, post-tax 80.00. CA: state 4 %, SDI 1.3 %.
    case = _bartender_in_la()
    for day in (MON, TUE, WED, THU):
        case.shift("S", "LA", day, "10:00", 5, cash_tips="150")
    case.deduction("S", "section_125", "50").deduction("S", "retirement_401k", retirement)
    return case.deduction("S", "post_tax", "80")


def test_withholding_order_when_cash_is_short_the_401k_comes_before_the_taxes_on_tips():
    # gross 1,000.00, cash 1,000.00 - 600.00 = 400.00.
    # (1) section 125: 50.00, left 350.00. FICA/SDI wages 950.00; other than tips
    #     1,000.00 - 600.00 - 50.00 = 350.00
    # (2) SS 6.2 % x 350 = 21.70, Medicare 1.45 % x 350 = 5.075 -> 5.08, SDI 1.3 % x 350
    #     = 4.55, left 318.67; 401(k) 300.00, left 18.67; state 4 % x (350 - 300)
    #     = 2.00, left 16.67; federal on 50.00 x 52 = 2,600 < 8,600 -> 0
    # (3) SS on tips 6.2 % x 950 = 58.90 - 21.70 = 37.20 -> 16.67 withheld, left 0;
    #     Medicare 13.775 -> 13.78 - 5.08 = 8.70 -> 0; SDI 12.35 - 4.55 = 7.80 -> 0
    # (4) state 4 % x 650 = 26.00 - 2.00 -> 0; federal -> 0; (5) post-tax -> 0
    #   SS 21.70 + 16.67 = 38.37, uncollected 58.90 - 38.37 = 20.53
    #   Medicare 5.08, uncollected 13.78 - 5.08 = 8.70
    #   net = 1,000 - 600 - 50 - 300 - 38.37 - 5.08 - 4.55 - 2.00 = 0.00
    row = pay_row(_californian_with_cash_tips("300").compute(), "S")
    check(
        row,
        gross_pay="1000.00",
        section_125="50.00",
        retirement_401k="300.00",
        social_security_tax="38.37",
        medicare_tax="5.08",
        state_disability_tax="4.55",
        state_income_tax="2.00",
        federal_income_tax="0.00",
        post_tax_deductions="0.00",
        uncollected_social_security_tax="20.53",
        uncollected_medicare_tax="8.70",
        employer_social_security_tax="58.90",
        employer_medicare_tax="13.78",
        net_pay="0.00",
    )
    assert identities_hold(row)


def test_withholding_order_when_cash_is_short_post_tax_deductions_come_last():
    # As above with a 401(k) of 100.00:
    # (2) 21.70 + 5.08 + 4.55 -> left 318.67; 401(k) 100.00 -> 218.67;
    #     state 4 % x 250 = 10.00 -> 208.67; federal 250 x 52 = 13,000 - 8,600
    #     = 4,400 < 7,500 -> 0
    # (3) 37.20 -> 171.47; 8.70 -> 162.77; 7.80 -> 154.97
    # (4) state 4 % x 850 = 34.00 - 10.00 = 24.00 -> 130.97; federal on 850:
    #     44,200 - 8,600 = 35,600; 1,240 + 12 % x 15,700 = 3,124 / 52 = 60.0769
    #     -> 60.08 - 0 -> 70.89 left
    # (5) post-tax 80.00 -> 70.89 withheld; nothing uncollected; net 0.00
    row = pay_row(_californian_with_cash_tips("100").compute(), "S")
    check(
        row,
        retirement_401k="100.00",
        social_security_tax="58.90",
        medicare_tax="13.78",
        state_disability_tax="12.35",
        state_income_tax="34.00",
        federal_income_tax="60.08",
        post_tax_deductions="70.89",
        uncollected_social_security_tax="0.00",
        uncollected_medicare_tax="0.00",
        net_pay="0.00",
    )
    assert identities_hold(row)


# ---------------------------------------------------------------- periods


def test_workweek_items_go_to_the_period_of_its_last_day_and_tips_to_their_work_date():
    # Weekly periods Mon-Sun; workweeks Thu-Wed, so the workweek Thu 03-05 ..
    # Wed 03-11 lies in two periods. Texas, $2.13 with the tip credit:
    #   Fri 03-06 10:00-18:00 (8 h), $10 cash tips          -> period 03-02
    #   Sun 03-08 20:00-Mon 02:00 (4 h Sun + 2 h Mon), $40 card tips: work date of the
    #     clock-in, Sunday                                   -> period 03-02
    #   Mon 03-09 10:00-18:00 (8 h), $20 card tips          -> period 03-09
    # The week: 22 h; capacity 22 x 5.12 = 112.64; tips 70.00 -> tip credit 70.00;
    # make-up = 22 x 7.25 - 22 x 2.13 - 70.00 = 159.50 - 46.86 - 70.00 = 42.64,
    # paid in 03-09, the period of Wed 03-11.
    #   period 03-02: 12 h, straight 25.56, tips 10.00 cash + 40.00 card; gross 75.56
    #   period 03-09: 10 h, straight 21.30, card 20.00, make-up 42.64; gross 83.94,
    #   tip credit 70.00
    case = Case(workweek_start="thursday").location("AUS", "TX").staff("S", "AUS")
    case.rate("S", "2.13", tip_credit=True)
    case.shift("S", "AUS", FRI, "10:00", 8, cash_tips="10")
    case.shift("S", "AUS", SUN, "20:00", 6, card_tips="40")
    case.shift("S", "AUS", MON + dt.timedelta(days=7), "10:00", 8, card_tips="20")
    result = case.compute()
    second = MON + dt.timedelta(days=7)
    week = week_row(result, "S", THU)
    assert week.period_start == second
    check(week, tips="70.00", tip_credit="70.00", minimum_wage_makeup_pay="42.64")
    check(
        pay_row(result, "S", MON),
        hours_worked="12",
        straight_time_pay="25.56",
        cash_tips_reported="10.00",
        card_tips_pay="40.00",
        minimum_wage_makeup_pay="0.00",
        tip_credit="0.00",
        gross_pay="75.56",
    )
    check(
        pay_row(result, "S", second),
        hours_worked="10",
        straight_time_pay="21.30",
        card_tips_pay="20.00",
        minimum_wage_makeup_pay="42.64",
        tip_credit="70.00",
        gross_pay="83.94",
    )


# ---------------------------------------------------------------- the table itself


def test_the_reference_copy_of_the_minimum_wages_matches_the_dbt_seed():
    """The reference reads its own copy; the seed must hold the same values,
    row for row."""
    seed = ROOT / "dbt_project" / "seeds" / "minimum_wages.csv"

    def values(path):
        with path.open(newline="", encoding="utf-8") as handle:
            return sorted(
                (
                    row["jurisdiction"],
                    row["effective_from"],
                    *(
                        D(row[c]) if row[c].strip() else None
                        for c in ("minimum_wage", "tipped_cash_wage", "max_tip_credit")
                    ),
                )
                for row in csv.DictReader(handle)
            )

    assert values(seed) == values(ref.MINIMUM_WAGES_CSV)
