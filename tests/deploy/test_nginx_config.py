"""The shipped ``deploy/nginx/nginx.conf`` passes Debian's ``nginx -t`` (a copy
with resolvable upstream hosts and a free port, nothing else changed), and
compose runs it in front of the two webservers it names."""

from __future__ import annotations

import difflib
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.nginx_proxy import (
    NGINX_CONF,
    SHIPPED_UPSTREAMS,
    nginx_binary,
    nginx_command,
    render_config,
    write_config_dir,
)

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "deploy" / "docker-compose.yaml"
LOCAL = {"payroll_operator": "127.0.0.1:3001", "payroll_viewer": "127.0.0.1:3002"}


@pytest.fixture(scope="module")
def nginx() -> str:
    return nginx_binary()


def _nginx_test(nginx: str, folder: Path) -> subprocess.CompletedProcess:
    conf = write_config_dir(folder / "conf", LOCAL, 18443, {"vera": "pw"}, ["olga"])
    (folder / "prefix").mkdir()
    return subprocess.run(
        nginx_command(nginx, folder / "prefix", conf / "nginx.conf", "-t", "-q"),
        capture_output=True,
        text=True,
    )


def test_the_shipped_nginx_conf_passes_nginx_t(nginx, tmp_path):
    result = _nginx_test(nginx, tmp_path)
    assert result.returncode == 0, result.stderr
    # -q prints only problems: no warning either
    assert result.stderr == ""


def test_the_tested_copy_differs_from_the_shipped_file_in_hosts_and_port_only():
    shipped = NGINX_CONF.read_text().splitlines()
    rendered = render_config(NGINX_CONF.read_text(), LOCAL, 18443).splitlines()
    changed = [
        line[0] + line[1:].strip()
        for line in difflib.unified_diff(shipped, rendered, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert sorted(changed) == sorted(
        [
            "-server dagster-webserver:3000;",
            "+server 127.0.0.1:3001;",
            "-server dagster-webserver-read-only:3000;",
            "+server 127.0.0.1:3002;",
            "-listen 8443 ssl;",
            "+listen 127.0.0.1:18443 ssl;",
        ]
    )


def test_nginx_t_refuses_a_broken_copy(nginx, tmp_path):
    """``nginx -t`` really parses the file: a misspelled directive fails it."""
    conf = write_config_dir(tmp_path / "conf", LOCAL, 18443, {"vera": "pw"}, [])
    text = (conf / "nginx.conf").read_text()
    (conf / "nginx.conf").write_text(text.replace("limit_req_status", "limit_req_stauts"))
    (tmp_path / "prefix").mkdir()
    result = subprocess.run(
        nginx_command(nginx, tmp_path / "prefix", conf / "nginx.conf", "-t", "-q"),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert 'unknown directive "limit_req_stauts"' in result.stderr


def test_compose_runs_the_proxy_in_front_of_both_webservers():
    compose = yaml.safe_load(COMPOSE.read_text())
    services = compose["services"]
    proxy = services["proxy"]
    assert proxy["build"]["target"] == "proxy"
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in proxy["volumes"]}
    assert mounts["/etc/nginx/payroll/nginx.conf"] == "./nginx/nginx.conf"
    for name in ("htpasswd", "operators.map", "tls"):
        assert f"/etc/nginx/payroll/{name}" in mounts, name
    # only the proxy is published; the webservers answer inside the network
    assert proxy["ports"] == ["${PROXY_BIND}:${PROXY_PORT}:8443"]
    for name in ("dagster-webserver", "dagster-webserver-read-only"):
        assert "ports" not in services[name], name
    read_only = services["dagster-webserver-read-only"]["environment"]
    assert read_only["PAYROLL_WEBSERVER_READ_ONLY"] == "true"
    assert services["dagster-webserver"]["environment"]["PAYROLL_WEBSERVER_READ_ONLY"] == "false"
    # the upstreams of nginx.conf are the webservers the settings name
    env = compose["x-payroll-environment"]
    assert (
        env["PAYROLL_OPERATOR_WEBSERVER_URL"] == f"http://{SHIPPED_UPSTREAMS['payroll_operator']}"
    )
    assert env["PAYROLL_VIEWER_WEBSERVER_URL"] == f"http://{SHIPPED_UPSTREAMS['payroll_viewer']}"
    assert env["PAYROLL_PROXY_AUTH"] == "htpasswd"
    for upstream in SHIPPED_UPSTREAMS.values():
        assert upstream.split(":")[0] in services
