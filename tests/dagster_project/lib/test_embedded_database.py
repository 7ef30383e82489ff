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
