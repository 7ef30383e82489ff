"""CSV in, pay register out: the whole pipeline through the CLI and Dagster,
against a real PostgreSQL, asserted to the cent."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import dagster as dg
import psycopg2
import pytest
from typer.testing import CliRunner

from dagster_project.cli import app

FIXTURES = Path(__file__).parent / "fixtures" / "e2e"
D = Decimal


@pytest.fixture(scope="module")
def pipeline(make_database, tmp_path_factory):
    """One warehouse, ingested and run once for the whole module."""
    url = make_database("end_to_end")
    home = tmp_path_factory.mktemp("payroll_home")
    patch = pytest.MonkeyPatch()
    patch.setenv("PAYROLL_DATABASE_URL", url)
    patch.setenv("PAYROLL_HOME", str(home))
    patch.delenv("PAYROLL_DAGSTER_DATABASE_URL", raising=False)
    from dagster_project.settings import get_settings

    get_settings.cache_clear()
    runner = CliRunner()
    ingested = runner.invoke(app, ["ingest", str(FIXTURES)])
    assert ingested.exit_code == 0, ingested.output
    for tenant in ("acme", "brew"):
        result = runner.invoke(app, ["run", "--period", "2026-03-01", "--tenant", tenant])
        assert result.exit_code == 0, result.output
    yield url, runner
    patch.undo()
    get_settings.cache_clear()


def _payroll(url: str, tenant: str, staff: str) -> dict[str, object]:
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute(
            "select * from marts.fct_payroll where tenant_id = %s and staff_id = %s",
            (tenant, staff),
        )
        rows = cur.fetchall()
        names = [c.name for c in cur.description]
    conn.close()
    assert len(rows) == 1, rows
    return dict(zip(names, rows[0], strict=True))


def test_overtime_at_the_regular_rate_to_the_cent(pipeline):
    url, _ = pipeline
    row = _payroll(url, "acme", "S1")
    assert row["hours_worked"] == D("46")
    assert row["overtime_hours"] == D("6")
    assert row["straight_time_pay"] == D("552.00")
    assert row["overtime_premium_pay"] == D("36.00")
    assert row["gross_pay"] == D("588.00")
    # weekly, single, standard: (588 × 52 − 8,600 − 19,900) × 12 % + 1,240, ÷ 52
    assert row["federal_income_tax"] == D("28.64")
    assert row["social_security_tax"] == D("36.46")
    assert row["medicare_tax"] == D("8.53")
    assert row["state_income_tax"] == D("0.00")  # Texas
    assert row["net_pay"] == D("514.37")
    assert row["employer_social_security_tax"] == D("36.46")
    assert row["futa_tax"] == D("3.53")


def test_non_discretionary_bonus_raises_the_regular_rate(pipeline):
    url, _ = pipeline
    row = _payroll(url, "acme", "S2")
    assert row["bonus_pay"] == D("46.00")
    assert row["overtime_premium_pay"] == D("39.00")
    assert row["gross_pay"] == D("637.00")


def test_two_rates_weight_the_regular_rate(pipeline):
    url, _ = pipeline
    row = _payroll(url, "acme", "S3")
    assert row["straight_time_pay"] == D("672.00")
    assert row["overtime_premium_pay"] == D("56.00")
    assert row["gross_pay"] == D("728.00")
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute(
            "select regular_rate from marts.fct_workweek_hours "
            "where tenant_id = 'acme' and staff_id = 'S3'"
        )
        assert cur.fetchone()[0] == D("14.00")
    conn.close()


def test_biweekly_withholding_matches_pub_15t(pipeline):
    url, _ = pipeline
    row = _payroll(url, "brew", "B1")
    assert row["period_end"].isoformat() == "2026-03-14"
    assert row["pay_date"].isoformat() == "2026-03-19"
    assert row["gross_pay"] == D("1500.00")
    assert row["federal_income_tax"] == D("96.15")
    assert row["social_security_tax"] == D("93.00")
    assert row["medicare_tax"] == D("21.75")


def test_every_row_satisfies_both_identities(pipeline):
    url, _ = pipeline
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute(
            """
            select count(*) filter (where gross_pay <> salary_pay + straight_time_pay
                                    + overtime_premium_pay + bonus_pay),
                   count(*) filter (where net_pay <> gross_pay - retirement_401k - section_125
                                    - federal_income_tax - social_security_tax - medicare_tax
                                    - state_income_tax - state_disability_tax
                                    - post_tax_deductions),
                   count(*)
            from marts.fct_payroll
            """
        )
        assert cur.fetchone() == (0, 0, 4)
    conn.close()


def test_run_is_recorded_with_its_partition_in_postgres_run_storage(pipeline):
    instance = dg.DagsterInstance.get()
    assert type(instance.run_storage).__name__ == "PostgresRunStorage"
    runs = instance.get_runs(
        filters=dg.RunsFilter(
            job_name="pay_period_job", tags={"dagster/partition": "acme|2026-03-01"}
        )
    )
    assert [run.status for run in runs] == [dg.DagsterRunStatus.SUCCESS]
    checks = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [dg.AssetCheckKey(dg.AssetKey(["marts", "fct_payroll"]), "gx_payroll_suite")]
    )
    assert len(checks) == 1


def test_payroll_runs_audit_each_run_from_dagster_run_storage(pipeline):
    url, _ = pipeline
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute(
            "select run_id, status, rows_in, rows_quarantined, staff_paid, total_gross_pay, "
            "total_net_pay, check_results, ended_at >= started_at "
            "from marts.payroll_runs where tenant_id = 'acme' and period_start = '2026-03-01'"
        )
        [(run_id, status, rows_in, quarantined, staff, gross, net, checks, ordered)] = (
            cur.fetchall()
        )
        cur.execute("select distinct run_id from marts.fct_payroll where tenant_id = 'acme'")
        published_by = cur.fetchall()
    conn.close()
    assert (status, rows_in, quarantined, staff) == ("SUCCESS", 18, 0, 3)
    assert (gross, net) == (D("1953.00"), D("514.37") + D("553.75") + D("626.86"))
    assert checks["marts/fct_payroll:gx_payroll_suite"] is True
    assert ordered
    assert published_by == [(run_id,)]
    run = dg.DagsterInstance.get().get_run_by_id(run_id)
    assert run.tags["dagster/partition"] == "acme|2026-03-01"


def test_register_prints_every_staff_member_with_totals(pipeline):
    _, runner = pipeline
    result = runner.invoke(app, ["register", "--period", "2026-03-01", "--tenant", "acme"])
    assert result.exit_code == 0, result.output
    for staff in ("S1", "S2", "S3"):
        assert f"\n{staff} " in result.output
    assert "1,953.00" in result.output  # 588 + 637 + 728
    as_json = runner.invoke(
        app, ["register", "--period", "2026-03-01", "--tenant", "acme", "--format", "json"]
    )
    payload = json.loads(as_json.output)
    assert payload["totals"]["gross_pay"] == "1953.00"
    assert len(payload["rows"]) == 3


def test_run_refuses_a_date_that_starts_no_period(pipeline):
    _, runner = pipeline
    result = runner.invoke(app, ["run", "--period", "2026-03-03", "--tenant", "acme"])
    assert result.exit_code == 2
    assert "no pay period of acme starts on 2026-03-03" in result.output


def test_run_needs_a_tenant_when_there_are_several(pipeline):
    _, runner = pipeline
    result = runner.invoke(app, ["run", "--period", "2026-03-01"])
    assert result.exit_code == 2
    assert "several tenants" in result.output


def test_rerunning_a_period_replaces_its_rows(pipeline):
    url, runner = pipeline
    result = runner.invoke(app, ["run", "--period", "2026-03-01", "--tenant", "acme"])
    assert result.exit_code == 0, result.output
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute("select count(*), sum(gross_pay) from marts.fct_payroll where tenant_id='acme'")
        assert cur.fetchone() == (3, D("1953.00"))
    conn.close()


def test_corrupted_mart_fails_the_blocking_gx_check_and_the_run(pipeline):
    url, _ = pipeline
    from dagster_project.definitions import defs

    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute("update marts.fct_payroll set net_pay = net_pay + 1 where staff_id = 'S1'")
    conn.close()

    check_only = dg.define_asset_job(
        "gx_check_only",
        selection=dg.AssetSelection.checks(
            dg.AssetCheckKey(dg.AssetKey(["marts", "fct_payroll"]), "gx_payroll_suite")
        ),
    )
    definitions = dg.Definitions.merge(defs(), dg.Definitions(jobs=[check_only]))
    result = definitions.resolve_job_def("gx_check_only").execute_in_process(
        instance=dg.DagsterInstance.get(), raise_on_error=False
    )
    assert not result.success
    [evaluation] = result.get_asset_check_evaluations()
    assert not evaluation.passed
    assert "net_pay_equals_gross_less_deductions_and_taxes" in str(
        evaluation.metadata["failed_expectations"].value
    )


def test_payroll_run_exits_1_when_the_published_numbers_do_not_add_up(pipeline):
    url, runner = pipeline
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(
            """
            create function marts.corrupt_net_pay() returns trigger language plpgsql as $$
            begin new.net_pay := new.net_pay + 1; return new; end $$;
            create trigger corrupt_net_pay before insert on marts.fct_payroll
                for each row execute function marts.corrupt_net_pay();
            """
        )
    conn.close()
    try:
        result = runner.invoke(app, ["run", "--period", "2026-03-01", "--tenant", "brew"])
        assert result.exit_code == 1, result.output
        assert "FAILED" in result.output
    finally:
        conn = psycopg2.connect(url)
        with conn, conn.cursor() as cur:
            cur.execute("drop trigger corrupt_net_pay on marts.fct_payroll")
            cur.execute("drop function marts.corrupt_net_pay()")
        conn.close()


def test_a_failed_period_cannot_be_finalized(pipeline):
    _, runner = pipeline
    # brew's latest run failed its blocking checks (the corrupted mart above)
    result = runner.invoke(app, ["finalize", "--period", "2026-03-01", "--tenant", "brew"])
    assert result.exit_code == 1
    assert "did not pass" in result.output


def test_a_finalized_period_never_changes(pipeline):
    url, runner = pipeline
    finalized = runner.invoke(app, ["finalize", "--period", "2026-03-01", "--tenant", "acme"])
    assert finalized.exit_code == 0, finalized.output
    assert "finalized (run " in finalized.output

    def snapshot() -> list[tuple]:
        conn = psycopg2.connect(url)
        with conn.cursor() as cur:
            cur.execute(
                "select staff_id, gross_pay, net_pay, run_id from marts.fct_payroll "
                "where tenant_id = 'acme' order by staff_id"
            )
            rows = cur.fetchall()
        conn.close()
        return rows

    before = snapshot()
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:  # a late correction to a paid punch
        cur.execute(
            "update raw.attendance set clock_out = clock_out + interval '2 hours', "
            "updated_at = now() where tenant_id = 'acme' and staff_id = 'S1' "
            "and event_id = (select min(event_id) from raw.attendance where staff_id = 'S1')"
        )
    conn.close()
    refused = runner.invoke(app, ["run", "--period", "2026-03-01", "--tenant", "acme"])
    assert refused.exit_code == 2
    assert "is finalized" in refused.output
    # even a full rebuild of every period leaves the finalized rows alone
    from dagster_project.lib.database import dbt_env

    env = {**os.environ, **dbt_env(url)}
    dbt_dir = Path(__file__).resolve().parents[1] / "dbt_project"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "build",
            "--exclude-resource-type",
            "unit_test",
            "--project-dir",
            str(dbt_dir),
            "--profiles-dir",
            str(dbt_dir),
            "--target-path",
            str(Path(os.environ["PAYROLL_HOME"]) / "dbt-target"),
        ],
        env=env,
        check=False,
        capture_output=True,
        timeout=600,
    )
    assert snapshot() == before
    again = runner.invoke(app, ["finalize", "--period", "2026-03-01", "--tenant", "acme"])
    assert again.exit_code == 0
    assert "already finalized" in again.output
