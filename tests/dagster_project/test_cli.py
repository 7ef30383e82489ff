from typer.testing import CliRunner

from dagster_project.cli import app

runner = CliRunner(env={"COLUMNS": "300", "NO_COLOR": "1"})


def test_cli_lists_every_contract_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("ingest", "run", "register", "demo", "doctor", "ui"):
        assert command in result.output


def test_run_rejects_a_malformed_period_with_exit_2():
    result = runner.invoke(app, ["run", "--period", "2026-13-01"])
    assert result.exit_code == 2
    assert "expected YYYY-MM-DD" in result.output


def test_run_rejects_a_hostile_tenant_id_with_exit_2():
    result = runner.invoke(app, ["run", "--period", "2026-03-01", "--tenant", "x'; drop table"])
    assert result.exit_code == 2
    assert "invalid tenant id" in result.output


def test_run_needs_a_period_or_all_closed():
    result = runner.invoke(app, ["run"])
    assert result.exit_code == 2
    assert "exactly one of --period" in result.output


def test_register_rejects_an_unknown_format():
    result = runner.invoke(app, ["register", "--period", "2026-03-01", "--format", "xml"])
    assert result.exit_code == 2
