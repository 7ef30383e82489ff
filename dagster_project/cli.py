"""``payroll``: the operator's command line (CONTRACT §1; exit codes in
``core/exit_codes.py``).

Commands import what they need when they run: ``payroll --help`` and a bad
option answer without loading Dagster.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated, Literal

import typer

from dagster_project.core.exit_codes import EXIT_BAD_INPUT, EXIT_FAILED
from dagster_project.core.periods import PayPeriodKey, parse_period_start, validate_tenant_id
from dagster_project.lib.logs import configure_logging

REPO_ROOT = Path(__file__).resolve().parents[1]

app = typer.Typer(
    name="payroll",
    help="Payroll pipeline: punches in, correct pay out — computed in PostgreSQL, "
    "orchestrated by Dagster.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

RegisterFormat = Literal["table", "csv", "json"]


def _say(message: str) -> None:
    typer.echo(message)


def _fail(message: str, code: int) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _renderer(output_format: str, renderers: dict):
    """The renderer ``--format`` names; exit 2 naming the formats otherwise."""
    if output_format not in renderers:
        raise _fail(f"--format must be one of {', '.join(renderers)}", EXIT_BAD_INPUT)
    return renderers[output_format]


def _period_option(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return parse_period_start(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _tenant_option(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return validate_tenant_id(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


PeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period", help="First day of the pay period (YYYY-MM-DD).", callback=_period_option
    ),
]
TenantOption = Annotated[
    str | None,
    typer.Option(
        "--tenant", help="Tenant id; optional when there is one tenant.", callback=_tenant_option
    ),
]


def _warehouse(migrate: bool = True) -> str:
    """Settings validated, database reachable, landing schema migrated — or,
    for a command that only reads (``migrate=False``), checked up to date:
    reading never changes the warehouse's schema or grants."""
    from pydantic import ValidationError

    from dagster_project.lib.database import transaction, warehouse_url
    from dagster_project.lib.migrations import apply_migrations, pending_migrations
    from dagster_project.settings import UnsafeSettingsError, get_settings, require_safe_database

    try:
        url = warehouse_url(get_settings())
        require_safe_database()
    except ValidationError as exc:
        raise _fail(f"invalid settings: {exc}", EXIT_BAD_INPUT) from None
    except UnsafeSettingsError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    try:
        with transaction(url) as conn:
            if not migrate:
                pending = pending_migrations(conn)
            else:
                apply_migrations(conn)
                pending = []
    except Exception as exc:  # the message names what is wrong with the database
        raise _fail(f"cannot prepare the warehouse: {exc}", EXIT_FAILED) from None
    if pending:
        raise _fail(
            f"the warehouse lacks {len(pending)} schema migration(s) of this version "
            f"(first: {pending[0]:04d}): run `payroll ingest` or `payroll run` once to "
            "apply them",
            EXIT_FAILED,
        )
    return url


def _resolve_tenant(url: str, tenant: str | None) -> str:
    from dagster_project.lib.launch import tenants

    known = tenants(url)
    if tenant is not None:
        if tenant not in known:
            raise _fail(
                f"unknown tenant {tenant!r} (known: {', '.join(known) or 'none'})", EXIT_BAD_INPUT
            )
        return tenant
    if len(known) == 1:
        return known[0]
    if not known:
        raise _fail(
            "no tenant loaded yet: run `payroll ingest tenants.csv …` first", EXIT_BAD_INPUT
        )
    raise _fail(f"several tenants ({', '.join(known)}): pass --tenant", EXIT_BAD_INPUT)


def _period_in_warehouse(period, tenant: str | None, migrate: bool = True):
    """For commands about one existing period: (warehouse URL, PayPeriodKey)."""
    if period is None:
        raise _fail("--period YYYY-MM-DD is required", EXIT_BAD_INPUT)
    url = _warehouse(migrate)
    return url, PayPeriodKey(_resolve_tenant(url, tenant), period)


def _definitions():
    from dagster_project.definitions import defs

    return defs()


def _ensure_calendar(instance, url: str, as_of: str | None = None) -> None:
    """Rebuild the pay calendar only when its inputs changed (data, code, the
    tenants' local date) or a period is not registered as a partition."""
    from dagster_project.lib.launch import calendar_is_up_to_date, refresh_calendar

    if calendar_is_up_to_date(url, instance, as_of):
        return
    started = time.monotonic()
    _say("• building reference data and the pay calendar …")
    outcome = refresh_calendar(_definitions(), instance, as_of)
    if not outcome.success:
        details = ", ".join(outcome.failed_checks) or ", ".join(outcome.failed_steps)
        raise _fail(f"pay calendar run {outcome.run_id} failed: {details}", EXIT_FAILED)
    _say(f"  done in {time.monotonic() - started:.1f}s (run {outcome.run_id})")


def _money(amount) -> str:
    return f"{amount:,.2f}"


def _run_periods(instance, url: str, periods: list) -> bool:
    """One run per tenant over its requested periods and the later computed
    ones of the same year (their year-to-date figures change with them);
    one line per period with its totals. False when any run failed."""
    from dagster_project.lib.launch import plan_runs, run_periods
    from dagster_project.lib.publish import published_period_summaries

    ok = True
    for plan in plan_runs(url, instance, periods):
        first, last = plan[0], plan[-1]
        span = (
            f"{first.period_start}"
            if first == last
            else f"{first.period_start} … {last.period_start} ({len(plan)} periods)"
        )
        _say(f"• pay period{'s' if len(plan) > 1 else ''} {first.tenant_id} {span} …")
        started = time.monotonic()
        outcome = run_periods(_definitions(), instance, plan)
        elapsed = time.monotonic() - started
        if not outcome.success:
            ok = False
            details = ", ".join(outcome.failed_checks) or ", ".join(outcome.failed_steps)
            _say(f"  FAILED in {elapsed:.1f}s (run {outcome.run_id}): {details}")
            continue
        for period, summary in published_period_summaries(url, plan).items():
            _say(
                f"  {period.tenant_id} {period.period_start}  {summary.staff_paid:>4} staff  "
                f"gross {_money(summary.total_gross_pay):>14}  "
                f"net {_money(summary.total_net_pay):>14}"
            )
        _say(f"  ok in {elapsed:.1f}s (run {outcome.run_id})")
    return ok


@app.callback()
def main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log at INFO level.")] = False,
) -> None:
    configure_logging("INFO" if verbose else None)


@app.command()
def ingest(
    paths: Annotated[
        list[Path], typer.Argument(help="CSV files, or folders of them (file names: CONTRACT §3).")
    ],
) -> None:
    """Load CSV files: every row validated, bad rows kept with a reason, good rows upserted."""
    from dagster_project.ingest.loader import IngestConnectionLost, IngestError, ingest_paths

    url = _warehouse()
    try:
        report = ingest_paths(url, paths, on_file=lambda result: _say(f"  {result.file}: ok"))
    except IngestError as exc:  # a refused file names its file, row and field itself
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    except IngestConnectionLost as exc:
        raise _fail(str(exc), EXIT_FAILED) from None
    _say(report.render())


@app.command()
def run(
    period: PeriodOption = None,
    tenant: TenantOption = None,
    all_closed: Annotated[
        bool, typer.Option("--all-closed", help="Run every closed period not yet paid.")
    ] = False,
) -> None:
    """Compute a pay period through Dagster (recorded in its Postgres run storage)."""
    from dagster_project.lib.finalize import is_finalized
    from dagster_project.lib.instance import get_instance
    from dagster_project.lib.launch import closed_unpaid_periods, registered_periods

    if (period is None) == (not all_closed):
        raise _fail("pass exactly one of --period YYYY-MM-DD or --all-closed", EXIT_BAD_INPUT)
    url = _warehouse()
    instance = get_instance()
    _ensure_calendar(instance, url)
    if all_closed:
        periods = closed_unpaid_periods(url, tenant)
        if not periods:
            _say("nothing to do: every closed period has a pay register")
            return
    else:
        key = PayPeriodKey(_resolve_tenant(url, tenant), period)
        known = [p for p in registered_periods(instance) if p.tenant_id == key.tenant_id]
        if key not in known:
            starts = ", ".join(p.period_start.isoformat() for p in known[-6:]) or "none"
            raise _fail(
                f"no pay period of {key.tenant_id} starts on {period} (latest: {starts})",
                EXIT_BAD_INPUT,
            )
        if is_finalized(url, key):
            raise _fail(
                f"{key.tenant_id} {period} is finalized: its pay register never changes",
                EXIT_BAD_INPUT,
            )
        periods = [key]
    if not _run_periods(instance, url, periods):
        raise typer.Exit(EXIT_FAILED)


@app.command()
def finalize(
    period: PeriodOption = None,
    tenant: TenantOption = None,
) -> None:
    """Lock a computed period whose blocking checks passed: its rows never change again."""
    from dagster_project.lib.finalize import finalize_period

    url, key = _period_in_warehouse(period, tenant)
    outcome = finalize_period(url, key)
    if not outcome.finalized:
        raise _fail(f"{key.tenant_id} {period}: {outcome.message}", EXIT_FAILED)
    _say(f"{key.tenant_id} {period}: {outcome.message}")


@app.command()
def register(
    period: PeriodOption = None,
    tenant: TenantOption = None,
    output_format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
) -> None:
    """Print the pay register of a period."""
    from dagster_project.lib.register import load_register, render_csv, render_json, render_table

    render = _renderer(
        output_format, {"table": render_table, "csv": render_csv, "json": render_json}
    )
    url, key = _period_in_warehouse(period, tenant, migrate=False)
    data = load_register(url, key.tenant_id, key.period_start)
    if not data.rows:
        raise _fail(f"no pay register for {data.tenant_id} {period}: run it first", EXIT_BAD_INPUT)
    _say(render(data))


@app.command()
def exceptions(
    period: PeriodOption = None,
    tenant: TenantOption = None,
) -> None:
    """List the period's attendance exceptions with reason codes."""
    from dagster_project.lib.exceptions_report import period_exceptions, render_exceptions

    url, key = _period_in_warehouse(period, tenant, migrate=False)
    found = period_exceptions(url, key.tenant_id, key.period_start)
    _say(render_exceptions(key.tenant_id, key.period_start, found))


@app.command()
def stubs(
    period: PeriodOption = None,
    tenant: TenantOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="Folder to write them in.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="pdf or html.")] = "pdf",
) -> None:
    """Write the period's earnings statements: OUT/<tenant>/<period start>/<staff>.pdf."""
    from dagster_project.payday.errors import PaydayInputError
    from dagster_project.payday.statements import STATEMENT_FORMATS, write_statements
    from dagster_project.payday.stubs import load_statements

    if output_format not in STATEMENT_FORMATS:
        raise _fail(f"--format must be one of {', '.join(STATEMENT_FORMATS)}", EXIT_BAD_INPUT)
    if out is None:
        raise _fail("--out DIR is required", EXIT_BAD_INPUT)
    url, key = _period_in_warehouse(period, tenant, migrate=False)
    try:
        statements = load_statements(url, key.tenant_id, key.period_start)
    except PaydayInputError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    if not statements:
        raise _fail(f"no statements for {key.tenant_id} {period}: run it first", EXIT_BAD_INPUT)
    paths = write_statements(statements, out, output_format)
    _say(f"{key.tenant_id} {period}: {len(paths)} earnings statements in {paths[0].parent}")


@app.command()
def ach(
    period: PeriodOption = None,
    tenant: TenantOption = None,
    out: Annotated[Path | None, typer.Option("--out", help="The NACHA file to write.")] = None,
) -> None:
    """Write the period's direct-deposit file (NACHA PPD credits of net pay)."""
    from dagster_project.payday.direct_deposit import load_direct_deposit, write_bank_file
    from dagster_project.payday.errors import PaydayInputError

    if out is None:
        raise _fail("--out FILE is required", EXIT_BAD_INPUT)
    url, key = _period_in_warehouse(period, tenant, migrate=False)
    try:
        deposit = load_direct_deposit(url, key.tenant_id, key.period_start)
        if deposit is None:
            raise _fail(
                f"no pay register for {key.tenant_id} {period}: run it first", EXIT_BAD_INPUT
            )
        if not deposit.batch.credits:
            raise _fail(
                f"{key.tenant_id} {period}: nobody to pay by direct deposit", EXIT_BAD_INPUT
            )
        write_bank_file(deposit, out, dt.datetime.now(dt.UTC))
    except PaydayInputError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    _say(
        f"{key.tenant_id} {period}: {len(deposit.batch.credits)} credits, "
        f"{_money(deposit.total)} on {deposit.batch.effective_date}, in {out}"
    )
    for staff_id, why in deposit.paper_checks:
        _say(f"  paper check: {staff_id} ({why})")


@app.command()
def gl(
    period: PeriodOption = None,
    tenant: TenantOption = None,
    output_format: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
) -> None:
    """Print the period's journal entry, per location (debits = credits)."""
    from dagster_project.payday.journal import load_journal, render_csv, render_json

    render = _renderer(output_format, {"csv": render_csv, "json": render_json})
    url, key = _period_in_warehouse(period, tenant, migrate=False)
    journal = load_journal(url, key.tenant_id, key.period_start)
    if not journal.rows:
        raise _fail(f"no journal for {key.tenant_id} {period}: run it first", EXIT_BAD_INPUT)
    if not journal.is_balanced:
        raise _fail(f"the journal of {key.tenant_id} {period} does not balance", EXIT_FAILED)
    typer.echo(render(journal), nl=False)


@app.command("tax-forms")
def tax_forms(
    year: Annotated[int | None, typer.Option("--year", help="Tax year (of the pay dates).")] = None,
    quarter: Annotated[
        int | None, typer.Option("--quarter", min=1, max=4, help="Form 941 of one quarter.")
    ] = None,
    tenant: TenantOption = None,
    output_format: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
) -> None:
    """Print Form 941 (each quarter, or --quarter), Form 940 and the W-2 boxes of a year."""
    from dagster_project.payday.tax_forms import load_tax_forms, render_csv, render_json

    render = _renderer(output_format, {"csv": render_csv, "json": render_json})
    if year is None:
        raise _fail("--year YYYY is required", EXIT_BAD_INPUT)
    url = _warehouse(migrate=False)
    tenant_id = _resolve_tenant(url, tenant)
    forms = load_tax_forms(url, tenant_id, year, quarter)
    if not forms.rows:
        raise _fail(f"no pay dates of {tenant_id} in {year}: run its periods first", EXIT_BAD_INPUT)
    typer.echo(render(forms), nl=False)


@app.command()
def demo(
    out: Annotated[
        Path | None, typer.Option("--out", help="Also keep the generated CSV files here.")
    ] = None,
) -> None:
    """Generate a seeded restaurant group, ingest it, run every closed period, print registers."""
    import tempfile

    from dagster_project.demo.generator import DEMO_AS_OF, write_demo_files
    from dagster_project.ingest.loader import ingest_paths
    from dagster_project.lib.instance import get_instance
    from dagster_project.lib.launch import closed_unpaid_periods, computed_periods
    from dagster_project.lib.register import load_register, render_table

    folder = out or Path(tempfile.mkdtemp(prefix="payroll-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    summary = write_demo_files(folder)
    _say(f"• demo data written to {folder}")
    url = _warehouse()
    _say("• ingesting …")
    report = ingest_paths(url, [folder])
    _say(report.render())
    instance = get_instance()
    # the calendar ends where the demo's data does, whatever today is
    _ensure_calendar(instance, url, DEMO_AS_OF.isoformat())
    periods = closed_unpaid_periods(url, None)
    ok = _run_periods(instance, url, periods) if periods else True
    tenants_seen = sorted({p.tenant_id for p in periods})
    computed = computed_periods(url)
    for key in computed:
        _say("")
        _say(render_table(load_register(url, key.tenant_id, key.period_start)))
    _say("")
    _say(
        f"demo: {summary.staff_count} staff, {len(computed)} pay periods computed "
        f"({', '.join(tenants_seen) or 'none new'})"
    )
    if not ok:
        raise typer.Exit(EXIT_FAILED)
    if computed:
        _write_payday(url, computed[-1])


def _write_payday(url: str, key: PayPeriodKey) -> None:
    """The demo's last period, as payday needs it: statements, the bank file
    and the journal, in ``<home>/payday/`` (owner-only)."""
    from dagster_project.payday.direct_deposit import load_direct_deposit, write_bank_file
    from dagster_project.payday.journal import load_journal, render_csv
    from dagster_project.payday.private_files import make_private_dirs, write_private_file
    from dagster_project.payday.statements import write_statements
    from dagster_project.payday.stubs import load_statements
    from dagster_project.settings import get_settings

    folder = get_settings().home_dir / "payday"
    make_private_dirs(folder)
    statements = write_statements(
        load_statements(url, key.tenant_id, key.period_start), folder, "pdf"
    )
    deposit = load_direct_deposit(url, key.tenant_id, key.period_start)
    bank_file = folder / f"{key.tenant_id}-{key.period_start}.ach"
    write_bank_file(deposit, bank_file, dt.datetime.now(dt.UTC))
    journal = folder / f"{key.tenant_id}-{key.period_start}-journal.csv"
    write_private_file(
        journal, render_csv(load_journal(url, key.tenant_id, key.period_start)).encode()
    )
    _say(f"payday of {key.tenant_id} {key.period_start} (pay date {deposit.batch.effective_date}):")
    _say(f"  {len(statements)} earnings statements  {statements[0].parent}/")
    _say(
        f"  direct deposit: {len(deposit.batch.credits)} credits, {_money(deposit.total)}, "
        f"{len(deposit.paper_checks)} paper checks  {bank_file}"
    )
    _say(f"  journal  {journal}")


@app.command()
def doctor() -> None:
    """Check database, migrations, dbt manifest, Dagster instance and config."""
    from dagster_project.doctor import render_table, run_checks

    results = run_checks()
    _say(render_table(results))
    if not all(result.healthy for result in results):
        raise typer.Exit(EXIT_FAILED)


@app.command()
def ui(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 3000,
) -> None:
    """Serve the Dagster UI (and its daemon) over the project's instance on 127.0.0.1."""
    from dagster_project.lib.instance import prepare_dagster_home
    from dagster_project.lib.supervise import run_until_stopped

    _warehouse()
    prepare_dagster_home()
    # `dagster dev` = webserver + daemon (which launches queued runs), over
    # the instance in DAGSTER_HOME.
    command = [
        str(Path(sys.executable).with_name("dagster")),
        "dev",
        "-w",
        str(REPO_ROOT / "workspace.yaml"),
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
    ]
    _say(f"• Dagster UI on http://127.0.0.1:{port} (Ctrl-C stops it)")
    # the venv's tools (dbt for prepare_if_dev) without activating it
    env = os.environ.copy()
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    raise typer.Exit(run_until_stopped(command, env))


@app.command()
def docs(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8080,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the site once it is built.")
    ] = True,
) -> None:
    """Build the dbt docs site of the published marts (lineage, every column
    described, the catalog of schema marts) and serve it on 127.0.0.1."""
    from dagster_project.lib.analyst_layer import (
        AnalystLayerError,
        docs_serve_command,
        generate_docs,
    )

    url = _warehouse(migrate=False)
    _say("• generating the dbt docs of the published marts …")
    try:
        folder = generate_docs(url)
    except AnalystLayerError as exc:
        raise _fail(str(exc), EXIT_FAILED) from None
    _say(f"  done: {folder / 'index.html'}")
    if not serve:
        return
    _say(f"• dbt docs on http://127.0.0.1:{port} (Ctrl-C stops it)")
    try:
        code = subprocess.call(docs_serve_command(port))
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def mf(ctx: typer.Context) -> None:
    """MetricFlow's `mf` over the published marts, e.g. `payroll mf query
    --metrics labor_cost,overtime_hours --group-by
    location_period__location_id,metric_time__day` (`payroll mf --help`)."""
    from dagster_project.lib.analyst_layer import (
        DBT_PROJECT_DIR,
        AnalystLayerError,
        mf_command,
        prepare_metricflow,
        tool_env,
    )

    url = _warehouse(migrate=False)
    try:
        prepare_metricflow(url)
    except AnalystLayerError as exc:
        raise _fail(str(exc), EXIT_FAILED) from None
    code = subprocess.call(mf_command(ctx.args), cwd=DBT_PROJECT_DIR, env=tool_env(url))
    raise typer.Exit(code)


@app.command()
def metrics(
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 9108,
    host: Annotated[
        str, typer.Option(help="Address to listen on (0.0.0.0 in a container).")
    ] = "127.0.0.1",
    backups: Annotated[
        Path | None,
        typer.Option(
            "--backups",
            help="Folder the backups are in (default PAYROLL_BACKUP_DIR, else "
            "PAYROLL_HOME/backups).",
        ),
    ] = None,
) -> None:
    """Serve Prometheus metrics on http://HOST:PORT/metrics, computed at each
    scrape from Dagster's run storage, the warehouse and the backup folder."""
    import dagster as dg
    from pydantic import ValidationError

    from dagster_project.lib.database import warehouse_url
    from dagster_project.lib.instance import hold_storage_connections, prepare_dagster_home
    from dagster_project.lib.metrics import PayrollCollector, serve
    from dagster_project.settings import get_settings

    try:
        settings = get_settings()
        url = warehouse_url(settings)
    except ValidationError as exc:
        raise _fail(f"invalid settings: {exc}", EXIT_BAD_INPUT) from None

    def instance() -> dg.DagsterInstance:
        prepare_dagster_home(settings)
        found = dg.DagsterInstance.get()
        hold_storage_connections(found)
        return found

    collector = PayrollCollector(url, instance, backups or settings.backup_path)
    try:
        serve(collector, host, port, lambda at: _say(f"• metrics on {at} (Ctrl-C stops it)"))
    except OSError as exc:
        message = f"cannot listen on {host}:{port}: {exc.strerror or exc}"
        raise _fail(message, EXIT_BAD_INPUT) from None


@app.command()
def backup(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder to write the backup in (default PAYROLL_BACKUP_DIR, else "
            "PAYROLL_HOME/backups).",
        ),
    ] = None,
) -> None:
    """Back up the warehouse and Dagster's storage (pg_dump) with a manifest of row
    counts and checksums per table."""
    import psycopg2
    from pydantic import ValidationError

    from dagster_project.lib.backup import BackupError, create_backup
    from dagster_project.lib.database import dagster_storage_url, warehouse_url
    from dagster_project.settings import get_settings

    try:
        settings = get_settings()
        url, dagster_url = warehouse_url(settings), dagster_storage_url(settings)
    except ValidationError as exc:
        raise _fail(f"invalid settings: {exc}", EXIT_BAD_INPUT) from None
    try:
        result = create_backup(url, dagster_url, out or settings.backup_path)
    except (BackupError, psycopg2.Error) as exc:
        raise _fail(f"backup failed: {exc}", EXIT_FAILED) from None
    _say(result.render())


@app.command()
def restore(
    backup_dir: Annotated[
        Path, typer.Argument(metavar="BACKUP", help="A folder written by `payroll backup`.")
    ],
    verify: Annotated[
        bool,
        typer.Option(
            "--verify",
            help="Restore into a scratch database on the warehouse's server, compare every "
            "table with the manifest, then drop it.",
        ),
    ] = False,
) -> None:
    """Prove a backup restores: every table as it was, the RPO and the time it took."""
    import psycopg2
    from pydantic import ValidationError

    from dagster_project.lib.backup import BackupError, BackupInputError, verify_backup
    from dagster_project.lib.database import warehouse_url
    from dagster_project.settings import get_settings

    if not verify:
        raise _fail(
            "pass --verify; restoring over a live database is pg_restore (README, Security)",
            EXIT_BAD_INPUT,
        )
    try:
        url = warehouse_url(get_settings())
    except ValidationError as exc:
        raise _fail(f"invalid settings: {exc}", EXIT_BAD_INPUT) from None
    try:
        report = verify_backup(backup_dir, url)
    except BackupInputError as exc:
        raise _fail(str(exc), EXIT_BAD_INPUT) from None
    except (BackupError, psycopg2.Error) as exc:
        raise _fail(f"restore failed: {exc}", EXIT_FAILED) from None
    _say(report.render())
    if not report.ok:
        raise typer.Exit(EXIT_FAILED)


if __name__ == "__main__":
    app()
