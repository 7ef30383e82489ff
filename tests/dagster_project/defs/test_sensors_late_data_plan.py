"""What the late-data sensor recomputes (pure planning, no database)."""

import datetime as dt

from dagster_project.core.periods import PayPeriodKey
from dagster_project.defs.sensors.late_data_plan import plan_recomputes
from dagster_project.defs.sensors.late_data_sql import LatePeriod, OpenPeriod

D = dt.date
T0 = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def key(start: str, tenant: str = "acme") -> PayPeriodKey:
    return PayPeriodKey(tenant, D.fromisoformat(start))


def opened(start: str, pay: str, computed: dt.datetime | None = T0) -> OpenPeriod:
    return OpenPeriod(key(start), D.fromisoformat(pay), computed)


# biweekly: the December period is paid in January, a new tax year
OPEN = [
    opened("2026-11-01", "2026-11-19"),
    opened("2026-11-15", "2026-12-03"),
    opened("2026-11-29", "2026-12-17"),
    opened("2026-12-13", "2026-12-31"),
    opened("2026-12-27", "2027-01-14"),
    opened("2027-01-10", "2027-01-28", computed=None),
]


def test_a_late_open_period_is_recomputed_then_its_later_periods_of_the_year():
    plan = plan_recomputes([LatePeriod(key("2026-11-15"), False, 3, T0 + HOUR)], {"acme": OPEN})
    assert [(r.key.period_start.isoformat(), r.reason) for r in plan.recomputes] == [
        ("2026-11-15", "late_data"),
        ("2026-11-29", "ytd_after=2026-11-15"),
        ("2026-12-13", "ytd_after=2026-11-15"),
    ]
    assert {r.marker for r in plan.recomputes} == {T0 + HOUR}
    assert plan.recomputes[0].run_key == f"late|acme|2026-11-15|{(T0 + HOUR).isoformat()}"
    assert plan.flags == []


def test_a_finalized_period_flags_and_recomputes_the_next_open_period():
    plan = plan_recomputes([LatePeriod(key("2026-11-01"), True, 2, T0 + HOUR)], {"acme": OPEN[1:]})
    assert [(r.key.period_start.isoformat(), r.reason) for r in plan.recomputes] == [
        ("2026-11-15", "adjustment_for=2026-11-01"),
        ("2026-11-29", "ytd_after=2026-11-15"),
        ("2026-12-13", "ytd_after=2026-11-15"),
    ]
    assert [str(flag) for flag in plan.flags] == [
        "late_data_finalized_period tenant=acme period_start=2026-11-01 late_rows=2 "
        "applied_period_start=2026-11-15 reason=adjustment"
    ]


def test_an_adjustment_already_in_the_next_periods_run_is_not_requested_again():
    after_fix = [opened("2026-11-15", "2026-12-03", computed=T0 + 2 * HOUR), *OPEN[2:]]
    plan = plan_recomputes([LatePeriod(key("2026-11-01"), True, 2, T0 + HOUR)], {"acme": after_fix})
    assert plan.recomputes == [] and plan.flags == []


def test_a_finalized_period_without_an_open_successor_is_only_flagged():
    plan = plan_recomputes([LatePeriod(key("2027-01-10"), True, 1, T0)], {"acme": []})
    assert plan.recomputes == []
    assert [str(flag) for flag in plan.flags] == [
        "late_data_finalized_period tenant=acme period_start=2027-01-10 late_rows=1 "
        "applied_period_start=none reason=no_open_period_yet"
    ]


def test_the_late_period_paid_in_the_new_year_has_no_follower_of_the_old_year():
    plan = plan_recomputes([LatePeriod(key("2026-12-27"), False, 1, T0)], {"acme": OPEN})
    # 2027-01-10 is open but was never computed: the schedule will compute it
    assert [r.key.period_start.isoformat() for r in plan.recomputes] == ["2026-12-27"]


def test_two_finalized_corrections_into_one_period_use_the_newest_change():
    plan = plan_recomputes(
        [
            LatePeriod(key("2026-10-18"), True, 1, T0 + 3 * HOUR),
            LatePeriod(key("2026-10-04"), True, 1, T0 + HOUR),
        ],
        {"acme": OPEN[3:]},
    )
    first = plan.recomputes[0]
    assert first.key == key("2026-12-13")
    assert first.marker == T0 + 3 * HOUR
    assert len(plan.flags) == 2


def test_tenants_are_planned_independently():
    other = [OpenPeriod(key("2026-11-15", "brew"), D(2026, 12, 3), T0)]
    plan = plan_recomputes(
        [LatePeriod(key("2026-11-15", "brew"), False, 1, T0 + HOUR)],
        {"acme": OPEN, "brew": other},
    )
    assert [r.key for r in plan.recomputes] == [key("2026-11-15", "brew")]
