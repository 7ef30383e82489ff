"""CSV in, pay register out: the whole pipeline through the CLI and Dagster,
against a real PostgreSQL, asserted to the cent."""

from __future__ import annotations

import json
import os
import re
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
        [dg.AssetCheckKey(dg.AssetKey(["build", "fct_payroll"]), "gx_suite")]
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
    assert checks["build/fct_payroll:gx_suite"] is True
    assert checks["build/fct_attendance_exceptions:attendance_conservation"] is True
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


def _published(url: str, tenant: str) -> list[tuple]:
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute(
            "select staff_id, gross_pay, net_pay, run_id from marts.fct_payroll "
            "where tenant_id = %s order by staff_id",
            (tenant,),
        )
        rows = cur.fetchall()
    conn.close()
    return rows


def test_a_failed_expectation_blocks_the_publish_and_names_it(pipeline):
    """Numbers that do not add up are built, audited, refused: the run exits 1
    naming the expectation, column and row count (never a value), and the
    analysts' marts keep the period exactly as it was published before."""
    url, runner = pipeline
    before = _published(url, "brew")
    assert before, "brew was published by the first run"
    conn = psycopg2.connect(url)
    with conn, conn.cursor() as cur:
        cur.execute(
            """
            create function build.corrupt_overtime() returns trigger language plpgsql as $$
            begin new.overtime_hours := new.hours_worked + 1; return new; end $$;
            create trigger corrupt_overtime before insert on build.fct_payroll
                for each row execute function build.corrupt_overtime();
            """
        )
    conn.close()
    try:
        result = runner.invoke(app, ["run", "--period", "2026-03-01", "--tenant", "brew"])
    finally:
        conn = psycopg2.connect(url)
        with conn, conn.cursor() as cur:
            cur.execute("drop trigger corrupt_overtime on build.fct_payroll")
            cur.execute("drop function build.corrupt_overtime()")
        conn.close()
    assert result.exit_code == 1, result.output
    assert "FAILED" in result.output
    assert "build/fct_payroll:gx_suite" in result.output
    assert "overtime_within_hours_worked" in result.output
    assert "1 of 1 rows" in result.output
    for _, gross, net, _ in before:  # no amount of anyone's pay in the message
        assert str(gross) not in result.output and str(net) not in result.output
    assert _published(url, "brew") == before


def test_the_failed_run_is_audited_with_no_totals_of_its_own(pipeline):
    """The refused run published nothing: its row in marts.payroll_runs says
    so, and never repeats what the earlier run published."""
    url, _ = pipeline
    conn = psycopg2.connect(url)
    with conn.cursor() as cur:
        cur.execute(
            "select status, rows_in, staff_paid, total_gross_pay, total_net_pay "
            "from marts.payroll_runs where tenant_id = 'brew' and period_start = '2026-03-01' "
            "order by started_at"
        )
        first, refused = cur.fetchall()
    conn.close()
    assert first[0] == "SUCCESS" and first[2] == 1 and first[3] > 0
    assert refused[0] == "FAILURE"
    assert refused[1] == first[1]  # the same attendance window was classified
    assert refused[2:] == (None, None, None)


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

    def snapshot(schema: str = "marts") -> list[tuple]:
        conn = psycopg2.connect(url)
        with conn.cursor() as cur:
            cur.execute(
                f"select staff_id, gross_pay, net_pay, run_id from {schema}.fct_payroll "
                "where tenant_id = 'acme' and period_start = '2026-03-01' order by staff_id"
            )
            rows = cur.fetchall()
        conn.close()
        return rows

    before = snapshot()
    built_before = snapshot("build")
    assert len(before) == 3 and built_before == before
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
    # even a full rebuild of every period (dbt alone, outside any run) leaves
    # the finalized period's rows alone, where dbt writes them and where
    # analysts read them
    from dagster_project.lib.database import dbt_env

    env = {**os.environ, **dbt_env(url)}
    dbt_dir = Path(__file__).resolve().parents[1] / "dbt_project"
    rebuilt = subprocess.run(
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
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert rebuilt.returncode == 0, rebuilt.stdout[-3000:]
    assert snapshot("build") == built_before
    assert snapshot() == before
    again = runner.invoke(app, ["finalize", "--period", "2026-03-01", "--tenant", "acme"])
    assert again.exit_code == 0
    assert "already finalized" in again.output


def test_data_docs_keep_every_suite_result_without_row_values(pipeline):
    url, _ = pipeline
    site = Path(os.environ["PAYROLL_HOME"]) / "gx" / "uncommitted" / "data_docs" / "local_site"
    assert (site / "index.html").is_file()
    pages = "\n".join(path.read_text(errors="replace") for path in site.rglob("*.html"))
    for suite in ("fct_payroll", "fct_workweek_hours", "fct_earnings", "dim_pay_periods"):
        assert suite in pages
    for _, gross, net, _ in _published(url, "acme"):  # rows hold pay: never in the docs
        # as an amount, not as digits inside a timestamp (…T102626.865324Z)
        for amount in (gross, net):
            assert not re.search(rf"(?<![\d.]){re.escape(str(amount))}(?![\d])", pages), amount
