"""The UI behind its authenticating proxy, as deployed: Debian's nginx running
``deploy/nginx/nginx.conf`` (TLS, htpasswd logins, operators.map, per-user
limits) in front of two real dagster-webservers over one instance, the full
one and a ``--read-only`` one, with a code server and the daemon that
dequeues runs. Everything goes through nginx's port, as a user's browser
would: anonymous requests are refused, a viewer reads the runs but cannot
launch one, an operator launches a pay period through GraphQL and it runs to
SUCCESS with the register to the cent, and a viewer looping over the API is
cut off with 429 while an operator is not."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import dagster as dg
import psycopg2
import pytest
from typer.testing import CliRunner

from tests.deploy.dagster_stack import LOCATION, DagsterStack
from tests.deploy.nginx_proxy import Nginx, nginx_binary, start_nginx
from tests.pipeline_env import isolated_pipeline_env, restore_pipeline_env

REPO = Path(__file__).resolve().parents[2]
E2E_FIXTURES = REPO / "tests" / "fixtures" / "e2e"
PARTITION = "acme|2026-03-01"
# made-up logins of the test, never real ones
OPERATOR = ("olga", "olga-Test-pw-1")
VIEWER = ("vera", "vera-Test-pw-2")
FLOODER = ("fred", "fred-Test-pw-3")  # a viewer of its own, so the limit test stands alone
FINISHED = ("SUCCESS", "FAILURE", "CANCELED")

RUNS_QUERY = """
{ runsOrError { __typename ... on Runs { results { runId jobName status } } } }
"""
LAUNCH = """
mutation Launch($executionParams: ExecutionParams!) {
  launchPipelineExecution(executionParams: $executionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on UnauthorizedError { message }
    ... on PythonError { message }
    ... on RunConfigValidationInvalid { errors { message } }
    ... on InvalidSubsetError { message }
  }
}
"""
RUN_STATUS = """
query Status($runId: ID!) {
  runOrError(runId: $runId) { __typename ... on Run { status tags { key value } } }
}
"""
LAUNCH_PARAMS = {
    "executionParams": {
        "selector": {
            "repositoryLocationName": LOCATION,
            "repositoryName": "__repository__",
            "jobName": "pay_period_job",
        },
        "runConfigData": {},
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": PARTITION}]},
    }
}


@dataclass
class Access:
    url: str
    nginx: Nginx
    stack: DagsterStack

    def graphql(self, user: tuple[str, str], query: str, variables: dict | None = None):
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        answer = self.nginx.request(
            "/graphql", auth=user, body=body, headers={"Content-Type": "application/json"}
        )
        assert answer.status == 200, (answer.status, answer.body[:500])
        payload = json.loads(answer.body)
        assert not payload.get("errors"), payload["errors"]
        return answer, payload["data"]

    def run_ids(self) -> set[str]:
        from dagster_project.lib.instance import get_instance

        return {run.run_id for run in get_instance().get_runs()}


@pytest.fixture(scope="module")
def access(make_database, tmp_path_factory) -> Iterator[Access]:
    binary = nginx_binary()
    from dagster_project.cli import app
    from dagster_project.definitions import defs
    from dagster_project.lib.instance import get_instance, prepare_dagster_home
    from dagster_project.lib.launch import refresh_calendar

    url = make_database("nginx_access")
    folder = tmp_path_factory.mktemp("nginx_access")
    home = folder / "home"
    patch = isolated_pipeline_env(url, home)
    stack = nginx = None
    try:
        # DAGSTER_HOME as `payroll ui` prepares it, before any process reads it
        prepare_dagster_home()
        bin_dir = Path(sys.executable).parent
        env = dict(os.environ)
        env["PATH"] = os.pathsep.join([str(bin_dir), env.get("PATH", "")])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
        stack = DagsterStack(env=env, bin_dir=bin_dir, folder=folder / "dagster")
        stack.start_code_server()
        ingested = CliRunner().invoke(app, ["ingest", str(E2E_FIXTURES)])
        assert ingested.exit_code == 0, ingested.output
        # the pay calendar and its partitions
        calendar = refresh_calendar(defs(), get_instance())
        assert calendar.success, calendar
        stack.start()
        upstreams = {
            "payroll_operator": f"127.0.0.1:{stack.ports['operator']}",
            "payroll_viewer": f"127.0.0.1:{stack.ports['viewer']}",
        }
        users = dict([OPERATOR, VIEWER, FLOODER])
        nginx = start_nginx(binary, upstreams, users, [OPERATOR[0]])
        yield Access(url, nginx, stack)
    finally:
        if nginx is not None:
            nginx.close()
        if stack is not None:
            stack.stop()
        restore_pipeline_env(patch)


def test_anonymous_and_wrong_passwords_get_401(access):
    anonymous = access.nginx.request("/server_info")
    assert anonymous.status == 401
    assert anonymous.headers["WWW-Authenticate"] == 'Basic realm="Payroll"'
    assert access.nginx.request("/graphql", auth=(VIEWER[0], "wrong")).status == 401
    assert access.nginx.request("/", auth=("mallory", VIEWER[1])).status == 401


def test_a_viewer_sees_the_runs_on_the_read_only_webserver(access):
    answer, data = access.graphql(VIEWER, RUNS_QUERY)
    assert answer.headers["X-Payroll-Role"] == "viewer"
    runs = {run["runId"]: (run["jobName"], run["status"]) for run in data["runsOrError"]["results"]}
    assert runs.keys() == access.run_ids()
    assert ("pay_calendar_job", "SUCCESS") in runs.values()


def test_a_viewer_cannot_launch_a_pay_period(access):
    before = access.run_ids()
    _, data = access.graphql(VIEWER, LAUNCH, LAUNCH_PARAMS)
    launched = data["launchPipelineExecution"]
    assert launched["__typename"] == "UnauthorizedError", launched
    assert access.run_ids() == before


def test_an_operator_launches_a_pay_period_and_it_succeeds(access):
    answer, data = access.graphql(OPERATOR, LAUNCH, LAUNCH_PARAMS)
    assert answer.headers["X-Payroll-Role"] == "operator"
    launched = data["launchPipelineExecution"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]

    deadline = time.monotonic() + 120
    status = None
    while time.monotonic() < deadline:
        access.stack.raise_if_dead()
        _, data = access.graphql(OPERATOR, RUN_STATUS, {"runId": run_id})
        status = data["runOrError"]["status"]
        if status in FINISHED:
            break
        time.sleep(1)
    assert status == "SUCCESS", f"run {run_id} ended {status}\n{access.stack.logs()}"
    tags = {tag["key"]: tag["value"] for tag in data["runOrError"]["tags"]}
    assert tags["dagster/partition"] == PARTITION

    from dagster_project.lib.instance import get_instance

    run = get_instance().get_run_by_id(run_id)
    assert run.job_name == "pay_period_job" and run.status == dg.DagsterRunStatus.SUCCESS
    conn = psycopg2.connect(access.url)
    with conn, conn.cursor() as cur:
        cur.execute(
            "select run_id, gross_pay, net_pay from marts.fct_payroll "
            "where tenant_id = 'acme' and staff_id = 'S1' and period_start = '2026-03-01'"
        )
        published = cur.fetchall()
    conn.close()
    # the register of tests/test_end_to_end.py, published by this run
    assert published == [(run_id, Decimal("588.00"), Decimal("514.37"))]
    # what the Helm values' 512Mi limit is measured against (`pytest -s` shows it)
    print(f"\nresident memory after the run, MiB: {access.stack.memory_mib()}")


def test_a_viewer_over_the_limit_gets_429_and_an_operator_does_not(access):
    statuses = [access.nginx.request("/server_info", auth=FLOODER).status for _ in range(150)]
    # burst 60 at 10 r/s: the first 60 pass at once, the loop outruns the refill
    assert statuses[:60] == [200] * 60
    assert statuses.count(429) >= 50
    assert set(statuses) == {200, 429}
    assert access.nginx.request("/server_info", auth=OPERATOR).status == 200
    assert access.nginx.request("/server_info", auth=VIEWER).status == 200
    # a wrong password is refused before it could count against anyone's limit
    assert access.nginx.request("/server_info", auth=(FLOODER[0], "wrong")).status == 401
