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


def test_reading_commands_never_migrate_the_warehouse(database_url, tmp_path, monkeypatch):
    """`register` and `exceptions` only read: on a warehouse a migration
    behind, they say so and leave the schema as it is."""
    import psycopg2

    from dagster_project.settings import get_settings

    conn = psycopg2.connect(database_url)
    with conn, conn.cursor() as cur:
        cur.execute("select max(version) from raw.schema_migrations")
        (latest,) = cur.fetchone()
        cur.execute("delete from raw.schema_migrations where version = %s", (latest,))
    monkeypatch.setenv("PAYROLL_DATABASE_URL", database_url)
    monkeypatch.setenv("PAYROLL_HOME", str(tmp_path))
    monkeypatch.delenv("PAYROLL_DAGSTER_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        for command in ("register", "exceptions"):
            result = runner.invoke(app, [command, "--period", "2026-03-01", "--tenant", "acme"])
            assert result.exit_code == 1, result.output
            assert f"lacks 1 schema migration(s) of this version (first: {latest:04d})" in (
                result.output
            )
    finally:
        get_settings.cache_clear()
    with conn, conn.cursor() as cur:
        cur.execute("select count(*) from raw.schema_migrations where version = %s", (latest,))
        assert cur.fetchone() == (0,)
    conn.close()
