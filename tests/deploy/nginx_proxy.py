"""Debian's nginx running the shipped ``deploy/nginx/nginx.conf`` in a temp
prefix, unprivileged, on a free loopback port.

The shipped file names the compose services (``dagster-webserver:3000``,
``dagster-webserver-read-only:3000``), which do not resolve here, and listens
on 8443: :func:`render_config` changes exactly those three lines and nothing
else, so ``nginx -t`` and the access test run the real configuration.
Run as root (CI), nginx starts as ``www-data`` in a folder of its own, as
the proxy container does: never as root. ``make test`` installs the
``nginx`` package when it is missing;
``PAYROLL_SKIP_NGINX=1`` skips these tests on request, and otherwise a missing
binary fails them.
"""

from __future__ import annotations

import base64
import os
import pwd
import re
import shutil
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.prometheus_server import free_port, stop

SKIP_ENV = "PAYROLL_SKIP_NGINX"
REPO = Path(__file__).resolve().parents[2]
NGINX_CONF = REPO / "deploy" / "nginx" / "nginx.conf"
SHIPPED_UPSTREAMS = {
    "payroll_operator": "dagster-webserver:3000",
    "payroll_viewer": "dagster-webserver-read-only:3000",
}
SHIPPED_LISTEN = "listen 8443 ssl;"
# Debian installs nginx in /usr/sbin, which a user's PATH may not hold
_SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])


def nginx_binary() -> str:
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"{SKIP_ENV}=1: the tests that run Debian's nginx are skipped on request")
    path = shutil.which("nginx", path=_SEARCH_PATH)
    if path is None:
        pytest.fail(
            "`nginx` is not installed: `make test` installs Debian's nginx package "
            f"(apt-get install nginx); {SKIP_ENV}=1 skips these tests"
        )
    return path


def render_config(text: str, upstreams: dict[str, str], port: int) -> str:
    """The shipped configuration with its two upstream servers and its port replaced."""
    for name, server in upstreams.items():
        pattern = rf"(upstream {name} \{{\s*server )\S+;"
        text, count = re.subn(pattern, rf"\g<1>{server};", text)
        assert count == 1, f"upstream {name} has no single server line in nginx.conf"
    assert text.count(SHIPPED_LISTEN) == 1, "nginx.conf: expected one `listen 8443 ssl;`"
    return text.replace(SHIPPED_LISTEN, f"listen 127.0.0.1:{port} ssl;")


def htpasswd_line(user: str, password: str) -> str:
    """An Apache MD5 (``$apr1$``) entry, as ``openssl passwd -apr1`` writes it."""
    hashed = subprocess.run(
        ["openssl", "passwd", "-apr1", "-stdin"],
        input=password,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return f"{user}:{hashed}"


def write_config_dir(
    folder: Path,
    upstreams: dict[str, str],
    port: int,
    users: dict[str, str],
    operators: list[str],
) -> Path:
    """A configuration folder as the proxy container mounts it: nginx.conf,
    htpasswd, operators.map and a self-signed TLS pair for 127.0.0.1."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nginx.conf").write_text(render_config(NGINX_CONF.read_text(), upstreams, port))
    (folder / "htpasswd").write_text(
        "".join(htpasswd_line(user, password) + "\n" for user, password in users.items())
    )
    (folder / "operators.map").write_text("".join(f"{user} operator;\n" for user in operators))
    tls = folder / "tls"
    tls.mkdir(exist_ok=True)
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(tls / "server.key"),
            "-out",
            str(tls / "server.crt"),
        ],
        capture_output=True,
        check=True,
    )
    return folder


def _unprivileged_user() -> pwd.struct_passwd | None:
    """The user nginx runs as when the tests run as root; None otherwise."""
    if os.geteuid() != 0:
        return None
    for name in ("www-data", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise AssertionError("running as root, and neither www-data nor nobody exists to run nginx")


def _hand_over(folder: Path, user: pwd.struct_passwd) -> None:
    for path in [folder, *folder.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid)


def nginx_command(binary: str, prefix: Path, conf: Path, *extra: str) -> list[str]:
    return [binary, "-p", f"{prefix}/", "-c", str(conf), "-e", "stderr", *extra]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


class Nginx:
    """nginx in the foreground (``daemon off``) over a configuration folder."""

    def __init__(
        self,
        binary: str,
        conf_dir: Path,
        prefix: Path,
        port: int,
        user: pwd.struct_passwd | None = None,
    ):
        self.port = port
        self.url = f"https://127.0.0.1:{port}"
        prefix.mkdir(parents=True, exist_ok=True)
        self.log = prefix / "nginx.log"
        self.log.touch()
        if user is not None:
            # its stdout is this log, which nginx reopens by name (/dev/stdout)
            _hand_over(prefix.parent, user)
        self._tls = ssl.create_default_context(cafile=str(conf_dir / "tls" / "server.crt"))
        # the loopback proxy must never be reached through a proxy from the environment
        self._opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=self._tls)
        )
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                nginx_command(binary, prefix, conf_dir / "nginx.conf", "-g", "daemon off;"),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                user=user.pw_uid if user else None,
                group=user.pw_gid if user else None,
                extra_groups=[] if user else None,
            )

    def wait_ready(self, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"nginx exited: {self.log.read_text()[-2000:]}")
            try:
                if self.request("/-/healthy").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"nginx not ready after {timeout}s: {self.log.read_text()[-2000:]}")

    def request(
        self,
        path: str,
        auth: tuple[str, str] | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        request = urllib.request.Request(self.url + path, data=body, headers=headers or {})
        if auth is not None:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with self._opener.open(request, timeout=30) as answer:
                return Response(answer.status, dict(answer.headers), answer.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, dict(error.headers), error.read())

    folder: Path | None = None

    def close(self) -> None:
        stop(self.process)
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_nginx(
    binary: str,
    upstreams: dict[str, str],
    users: dict[str, str],
    operators: list[str],
) -> Nginx:
    """nginx in a temporary folder of its own (readable by the user it runs
    as, unlike pytest's), removed by :meth:`Nginx.close`."""
    folder = Path(tempfile.mkdtemp(prefix="payroll-nginx-"))
    port = free_port()
    conf_dir = write_config_dir(folder / "conf", upstreams, port, users, operators)
    nginx = Nginx(binary, conf_dir, folder / "prefix", port, _unprivileged_user())
    nginx.folder = folder
    try:
        nginx.wait_ready()
    except BaseException:
        nginx.close()
        raise
    return nginx
