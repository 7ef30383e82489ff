"""The Dagster services of a deployment, as processes over one test instance:
one code server (``dagster api grpc``), the daemon (the instance queues runs)
and two webservers on free loopback ports, the operators' full one and the
viewers' ``--read-only`` one, both loading the code location from that one
code server as compose's webservers do (``deploy/compose/workspace.yaml``).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from tests.browser.dagster_ui import ServerProcess, free_port

LOCATION = "payroll"
STARTUP_TIMEOUT_SECONDS = 120.0
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))
_LOCATION_QUERY = """
{
  workspaceOrError {
    ... on Workspace { locationEntries { name loadStatus
      locationOrLoadError { __typename ... on PythonError { message } } } }
  }
}
"""


def graphql(base_url: str, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    request = urllib.request.Request(
        f"{base_url}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with _HTTP.open(request, timeout=30) as response:
        return json.loads(response.read())


@dataclass
class DagsterStack:
    env: dict[str, str]
    bin_dir: Path
    folder: Path
    processes: dict[str, ServerProcess] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start_code_server(self) -> None:
        """First, and alone: it loads the definitions while the caller prepares data."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.ports["grpc"] = free_port()
        self._start(
            "code-server",
            ["dagster", "api", "grpc", "-m", "dagster_project.definitions"]
            + ["-h", "127.0.0.1", "-p", str(self.ports["grpc"]), "--location-name", LOCATION],
        )

    def start(self) -> None:
        """The daemon and both webservers, once the code server answers."""
        if "code-server" not in self.processes:
            self.start_code_server()
        workspace = self.folder / "workspace.yaml"
        server = {"host": "127.0.0.1", "port": self.ports["grpc"], "location_name": LOCATION}
        workspace.write_text(json.dumps({"load_from": [{"grpc_server": server}]}))
        self._wait_for_code_server(self.ports["grpc"])
        self._start("dagster-daemon", ["dagster-daemon", "run", "-w", str(workspace)])
        for name, extra in (("operator", []), ("viewer", ["--read-only"])):
            self.ports[name] = free_port()
            self._start(
                f"webserver-{name}",
                ["dagster-webserver", *extra, "-w", str(workspace)]
                + ["-h", "127.0.0.1", "-p", str(self.ports[name])],
            )
        for name in ("operator", "viewer"):
            self._wait_for_location(name)

    def _start(self, name: str, command: list[str]) -> None:
        command = [str(self.bin_dir / command[0]), *command[1:]]
        self.processes[name] = ServerProcess.start(name, command, self.env, self.folder)

    def _wait(self, what: str, ready) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            self.raise_if_dead()
            if ready():
                return
            time.sleep(0.25)
        raise AssertionError(f"{what} not ready in {STARTUP_TIMEOUT_SECONDS:.0f}s\n{self.logs()}")

    def _wait_for_code_server(self, port: int) -> None:
        from dagster._grpc.client import DagsterGrpcClient

        client = DagsterGrpcClient(port=port, host="127.0.0.1")

        def answers() -> bool:
            try:
                return client.ping("ready") is not None
            except Exception:  # not listening yet
                return False

        self._wait("the code server", answers)

    def _wait_for_location(self, name: str) -> None:
        def loaded() -> bool:
            try:
                data = graphql(self.url(name), _LOCATION_QUERY)["data"]["workspaceOrError"]
            except (urllib.error.URLError, OSError, ValueError):
                return False
            entries = data.get("locationEntries") or []
            return any(
                e["loadStatus"] == "LOADED"
                and (e["locationOrLoadError"] or {}).get("__typename") == "RepositoryLocation"
                for e in entries
            )

        self._wait(f"webserver-{name} with the {LOCATION} location", loaded)

    def memory_mib(self) -> dict[str, float]:
        """Resident memory of each long-running process (children not counted)."""
        return {
            name: psutil.Process(process.popen.pid).memory_info().rss / 2**20
            for name, process in self.processes.items()
            if process.alive
        }

    def raise_if_dead(self) -> None:
        dead = [name for name, process in self.processes.items() if not process.alive]
        if dead:
            raise AssertionError(f"{', '.join(dead)} exited\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(process.describe() for process in self.processes.values())

    def stop(self, grace_seconds: float = 5) -> None:
        for process in self.processes.values():
            process.terminate()
        deadline = time.monotonic() + grace_seconds
        for process in self.processes.values():
            process.kill(deadline)
