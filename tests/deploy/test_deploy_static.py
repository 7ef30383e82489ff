"""deploy/ checked without a Docker engine or a cluster: every YAML parses,
every dagster.yaml is a valid Dagster instance config with the same queueing
policy, compose references only images, build targets, files and variables
that exist, and the Helm values use only keys of the official chart."""

import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest
import yaml
from dagster._config import validate_config
from dagster._core.instance.config import dagster_instance_config

from dagster_project.settings import Settings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "docker-compose.yaml"
HELM_VALUES = DEPLOY / "helm" / "values.yaml"
HELM_SCHEMA = DEPLOY / "helm" / "values-schema-subset.json"
ENV_EXAMPLE = REPO / ".env.example"
INSTANCE_DIRS = {
    "local": DEPLOY,
    "compose": DEPLOY / "compose",
    "helm": DEPLOY / "helm",
}
WRITER_TAG = "payroll/warehouse-writer"
# the pool pay_period_models, published_pay_period and pay_calendar_models use
POOL = "payroll_warehouse"


def _yaml(path: Path):
    return yaml.safe_load(path.read_text())


def _env_example() -> dict[str, str]:
    """Active ``NAME=value`` lines, and names documented in comments (``# NAME=``)."""
    found = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^#?\s*([A-Z][A-Z0-9_]*)=(.*)$", line.strip())
        if match:
            active = not line.lstrip().startswith("#")
            found.setdefault(match.group(1), match.group(2) if active else None)
    return found


@pytest.mark.parametrize(
    "path", sorted(DEPLOY.rglob("*.yaml")), ids=lambda p: str(p.relative_to(REPO))
)
def test_every_yaml_file_parses(path):
    documents = list(yaml.safe_load_all(path.read_text()))
    assert documents and all(isinstance(doc, dict) for doc in documents)


@pytest.mark.parametrize("name", sorted(INSTANCE_DIRS))
def test_each_dagster_yaml_is_a_valid_instance_config(name, monkeypatch):
    monkeypatch.setenv("PAYROLL_DAGSTER_STORAGE_URL", "postgresql+psycopg2://u@db:5432/dagster")
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", "not-a-secret")
    config, custom_class = dagster_instance_config(str(INSTANCE_DIRS[name]))
    assert custom_class is None
    assert "postgres" in config["storage"]
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert config["run_monitoring"]["enabled"] is True
    assert config["telemetry"]["enabled"] is False


@pytest.mark.parametrize("name", sorted(INSTANCE_DIRS))
def test_every_deployment_queues_one_warehouse_writer_at_a_time(name):
    concurrency = _yaml(INSTANCE_DIRS[name] / "dagster.yaml")["concurrency"]
    assert concurrency["pools"] == {"default_limit": 1, "granularity": "run"}
    assert {"key": WRITER_TAG, "limit": 1} in concurrency["runs"]["tag_concurrency_limits"]


def test_the_helm_instance_launches_each_run_as_a_kubernetes_job():
    from dagster_k8s import K8sRunLauncher

    launcher = _yaml(DEPLOY / "helm" / "dagster.yaml")["run_launcher"]
    assert (launcher["module"], launcher["class"]) == ("dagster_k8s", "K8sRunLauncher")
    result = validate_config(K8sRunLauncher.config_type(), launcher["config"])
    assert result.success, result.errors
    assert launcher["config"]["env_secrets"] == ["payroll-settings"]


def test_every_database_connection_of_the_deployments_requires_tls():
    for name in ("compose", "helm"):
        storage = _yaml(INSTANCE_DIRS[name] / "dagster.yaml")["storage"]["postgres"]
        assert storage["postgres_db"]["params"]["sslmode"] == "require", name
    compose_env = _yaml(COMPOSE)["x-payroll-environment"]
    for key in ("PAYROLL_DATABASE_URL", "PAYROLL_DAGSTER_DATABASE_URL"):
        assert compose_env[key].endswith("?sslmode=require"), key
    assert _yaml(HELM_VALUES)["postgresql"]["postgresqlParams"] == {"sslmode": "require"}


def _dockerfile_targets() -> set[str]:
    return set(re.findall(r"^FROM\s+\S+\s+AS\s+(\S+)", DOCKERFILE.read_text(), re.MULTILINE))


def test_the_dockerfile_copies_only_what_exists_and_runs_unprivileged():
    text = DOCKERFILE.read_text()
    assert {"base", "code-location", "dagster"} <= _dockerfile_targets()
    for sources in re.findall(r"^COPY\s+(?:--\S+\s+)*(.+?)\s+\S+$", text, re.MULTILINE):
        for source in sources.split():
            assert (REPO / source).exists(), source
    for target in ("code-location", "dagster"):
        stage = text.split(f" AS {target}")[1].split("\nFROM ")[0]
        assert "USER payroll" in stage, target
    assert "dagster_project.definitions" in text
    assert 'ENTRYPOINT ["/opt/dagster/app/deploy/entrypoint.sh"]' in text


def test_the_entrypoint_is_valid_shell_and_validates_settings_first():
    entrypoint = DEPLOY / "entrypoint.sh"
    assert entrypoint.stat().st_mode & 0o111, "entrypoint.sh must be executable"
    subprocess.run(["sh", "-n", str(entrypoint)], check=True)
    text = entrypoint.read_text()
    assert text.index("python -m dagster_project.settings --database") < text.index('exec "$@"')
    assert "--read-only" in text
    for script in (DEPLOY / "compose" / "initdb").glob("*.sh"):
        subprocess.run(["sh", "-n", str(script)], check=True)
        assert script.stat().st_mode & 0o111, script


def test_compose_has_the_seven_services_built_from_existing_targets():
    compose = _yaml(COMPOSE)
    services = compose["services"]
    assert set(services) == {
        "postgres",
        "user-code",
        "dagster-daemon",
        "dagster-webserver",
        "dagster-webserver-read-only",
        "proxy",
        "payroll-metrics",
    }
    targets = _dockerfile_targets()
    for name, service in services.items():
        if "build" in service:
            build = service["build"]
            assert (COMPOSE.parent / build["context"] / build["dockerfile"]).resolve() == DOCKERFILE
            assert build["target"] in targets, name
            assert service["image"].startswith(f"payroll/{build['target']}:"), name
        else:
            assert re.fullmatch(r"postgres:15[\w.-]*", service["image"]), name
    assert services["user-code"]["build"]["target"] == "code-location"
    assert services["dagster-daemon"]["build"]["target"] == "dagster"
    assert "dagster-daemon run" in " ".join(services["dagster-daemon"]["command"])
    assert f"concurrency set {POOL} 1" in " ".join(services["dagster-daemon"]["command"])
    assert services["payroll-metrics"]["command"][:2] == ["payroll", "metrics"]


def test_compose_mounts_files_that_exist_and_publishes_the_webserver_on_loopback_only():
    services = _yaml(COMPOSE)["services"]
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (COMPOSE.parent / source).exists(), (name, source)
        for port in service.get("ports", []):
            # the proxy is the one service meant to be reached: its address is set
            bind = "${PROXY_BIND}:" if name == "proxy" else "127.0.0.1:"
            assert port.startswith(bind), (name, port)
    assert _env_example()["PROXY_BIND"] == "127.0.0.1"
    assert "ports" not in services["postgres"]
    workspace = _yaml(DEPLOY / "compose" / "workspace.yaml")["load_from"][0]["grpc_server"]
    assert workspace["host"] == "user-code"
    assert str(workspace["port"]) in services["user-code"]["healthcheck"]["test"]


def test_every_variable_compose_reads_is_documented_in_env_example():
    text = COMPOSE.read_text()
    referenced = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)(:?-[^}]*)?\}", text))
    documented = _env_example()
    for name, default in referenced:
        assert name in documented, f"{name} is read by compose but not in .env.example"
        if not default:
            assert documented[name] is not None, f"{name} has no default: set it in .env.example"


def test_env_example_documents_every_setting_with_a_valid_value(monkeypatch):
    documented = _env_example()
    for field in Settings.model_fields:
        assert f"PAYROLL_{field.upper()}" in documented, field
    active = {k: v for k, v in documented.items() if k.startswith("PAYROLL_") and v is not None}
    for name in active:
        monkeypatch.setenv(name, active[name])
    settings = Settings(_env_file=None)
    assert settings.environment == "development"
    assert settings.schedule_close_delay_hours == 24


def test_the_helm_values_use_only_keys_of_the_chart():
    schema = json.loads(HELM_SCHEMA.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    values = _yaml(HELM_VALUES)
    jsonschema.validate(values, schema)
    misspelled = json.loads(json.dumps(values))
    misspelled["runLauncher"]["config"]["k8sRunLauncher"]["envSecret"] = []
    with pytest.raises(jsonschema.ValidationError, match="envSecret"):
        jsonschema.validate(misspelled, schema)


def test_the_helm_values_run_pods_per_run_with_the_shared_policy():
    values = _yaml(HELM_VALUES)
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert values["postgresql"]["enabled"] is False
    assert values["dagsterWebserver"]["enableReadOnly"] is True
    deployment = values["dagster-user-deployments"]["deployments"][0]
    assert deployment["dagsterApiGrpcArgs"] == ["-m", "dagster_project.definitions"]
    assert deployment["env"]["PAYROLL_ENVIRONMENT"] == "production"
    assert {"name": "payroll-settings"} in deployment["envSecrets"]
    # the chart refuses run limits in both places: they live under concurrency
    queued = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    assert not any(queued.values())
    concurrency = values["concurrency"]
    assert concurrency["pools"] == {"defaultLimit": 1, "granularity": "run"}
    assert {"key": WRITER_TAG, "limit": 1} in concurrency["runs"]["tagConcurrencyLimits"]
    rendered = _yaml(DEPLOY / "helm" / "dagster.yaml")
    assert (
        rendered["concurrency"]["runs"]["max_concurrent_runs"]
        == (concurrency["runs"]["maxConcurrentRuns"])
    )


def test_the_production_settings_the_deployments_set_pass_validation():
    deployment = _yaml(HELM_VALUES)["dagster-user-deployments"]["deployments"][0]["env"]
    settings = Settings(
        _env_file=None,
        database_url="postgresql://payroll_app:{}@db:5432/payroll?sslmode=require".format(
            "made-up-" * 3
        ),
        environment=deployment["PAYROLL_ENVIRONMENT"],
        webserver_read_only=deployment["PAYROLL_WEBSERVER_READ_ONLY"],
        proxy_url=deployment["PAYROLL_PROXY_URL"],
        proxy_auth=deployment["PAYROLL_PROXY_AUTH"],
        operator_webserver_url=deployment["PAYROLL_OPERATOR_WEBSERVER_URL"],
        viewer_webserver_url=deployment["PAYROLL_VIEWER_WEBSERVER_URL"],
    )
    assert settings.environment == "production"
    assert settings.proxy_auth == "oidc"


def test_the_metrics_server_is_deployed_where_prometheus_finds_it():
    """compose: a service on the port the example scrape config targets;
    Helm: a sidecar of the code server pod, announced by scrape annotations."""
    service = _yaml(COMPOSE)["services"]["payroll-metrics"]
    command = service["command"]
    assert command[command.index("--port") + 1] == "9108"
    assert command[command.index("--host") + 1] == "0.0.0.0"
    assert service["ports"] == ["127.0.0.1:9108:9108"]
    scrape = _yaml(DEPLOY / "prometheus" / "prometheus.yml")["scrape_configs"][0]
    assert scrape["static_configs"][0]["targets"] == ["payroll-metrics:9108"]
    deployment = _yaml(HELM_VALUES)["dagster-user-deployments"]["deployments"][0]
    annotations = deployment["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    (sidecar,) = deployment["sidecarContainers"]
    assert sidecar["args"][:2] == ["payroll", "metrics"]
    port = sidecar["args"][sidecar["args"].index("--port") + 1]
    assert annotations["prometheus.io/port"] == port
    assert {"name": "metrics", "containerPort": int(port)} in sidecar["ports"]
    assert {"secretRef": {"name": "payroll-settings"}} in sidecar["envFrom"]
    assert sidecar["image"].rsplit(":", 1) == [
        deployment["image"]["repository"],
        deployment["image"]["tag"],
    ]
