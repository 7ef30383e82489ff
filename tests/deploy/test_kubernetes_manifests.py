"""The Kubernetes side, validated with the schemas ``kubernetes-validate``
bundles (Kubernetes 1.30, strict: an unknown field fails), not with a schema
of ours: every manifest we ship (NetworkPolicy, Ingress) as a whole resource,
and every Kubernetes object inside the Helm values (probes, resources,
volumes, sidecar containers, run pod metadata) against its API definition.
``helm`` installs from no registry here, so the chart itself is not rendered:
its keys are checked by ``test_deploy_static.py``, the objects it copies into
the pods by this file. Then what they must say: probes on every long-running
container, the deployment design's resources, and policies whose selectors
match the pods the chart and the values label."""

from __future__ import annotations

import copy
import json
from importlib.resources import files
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml
from referencing import Registry, Resource

REPO = Path(__file__).resolve().parents[2]
HELM = REPO / "deploy" / "helm"
VALUES = HELM / "values.yaml"
MANIFESTS = {"networkpolicy": HELM / "networkpolicy.yaml", "ingress": HELM / "ingress.yaml"}
KUBERNETES_VERSION = "1.30"
DEFINITIONS_URI = "https://kubernetes.io/api/_definitions.json"
POSTGRES_CLIENT = {"payroll/postgres-client": "true"}
# the chart's pod labels (helm/dagster/templates/helpers/_helpers.tpl, release "payroll")
WEBSERVER_COMPONENTS = {"dagster-webserver", "dagster-webserver-read-only"}
API_RESOURCES = {
    "requests": {"cpu": "250m", "memory": "256Mi"},
    "limits": {"cpu": "500m", "memory": "512Mi"},
}


def _documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def _registry() -> Registry:
    folder = files("kubernetes_validate") / "kubernetes-json-schema"
    definitions = folder / f"v{KUBERNETES_VERSION}.0-local-strict" / "_definitions.json"
    resource = Resource.from_contents(json.loads(definitions.read_text()))
    return Registry().with_resource(DEFINITIONS_URI, resource)


REGISTRY = _registry()


def validate_object(value: object, definition: str) -> None:
    """``value`` against the Kubernetes API definition ``definition`` (strict)."""
    schema = {"$ref": f"{DEFINITIONS_URI}#/$defs/io.k8s.api.core.v1.{definition}"}
    if "." in definition:
        schema = {"$ref": f"{DEFINITIONS_URI}#/$defs/io.k8s.{definition}"}
    jsonschema.Draft202012Validator(schema, registry=REGISTRY).validate(value)


def _without_enabled(probe: dict) -> dict:
    """What the chart renders of a probe that has an ``enabled`` switch."""
    return {key: value for key, value in probe.items() if key != "enabled"}


def _long_running_containers(values: dict) -> dict[str, dict]:
    """Each long-running container's values: webserver, daemon, code server,
    metrics sidecar."""
    deployment = values["dagster-user-deployments"]["deployments"][0]
    (sidecar,) = deployment["sidecarContainers"]
    return {
        "webserver": values["dagsterWebserver"],
        "daemon": values["dagsterDaemon"],
        "code server": deployment,
        "metrics sidecar": sidecar,
    }


def embedded_objects(values: dict) -> list[tuple[str, object, str]]:
    """(where, object as the chart renders it, Kubernetes definition)."""
    found = []
    for name, container in _long_running_containers(values).items():
        for key in ("readinessProbe", "livenessProbe", "startupProbe"):
            if key in container:
                found.append((f"{name}.{key}", _without_enabled(container[key]), "Probe"))
        found.append((f"{name}.resources", container["resources"], "ResourceRequirements"))
    deployment = values["dagster-user-deployments"]["deployments"][0]
    found += [
        (f"code server.volumes[{i}]", v, "Volume") for i, v in enumerate(deployment["volumes"])
    ]
    found += [
        (f"code server.volumeMounts[{i}]", m, "VolumeMount")
        for i, m in enumerate(deployment["volumeMounts"])
    ]
    found += [
        (f"code server.sidecarContainers[{i}]", c, "Container")
        for i, c in enumerate(deployment["sidecarContainers"])
    ]
    run_config = values["runLauncher"]["config"]["k8sRunLauncher"]["runK8sConfig"]
    found.append(
        (
            "run pods.podTemplateSpecMetadata",
            run_config["podTemplateSpecMetadata"],
            "apimachinery.pkg.apis.meta.v1.ObjectMeta",
        )
    )
    found.append(
        (
            "run pods.containerConfig.resources",
            run_config["containerConfig"]["resources"],
            "ResourceRequirements",
        )
    )
    return found


@pytest.mark.parametrize(
    "document",
    [(name, i) for name, path in MANIFESTS.items() for i in range(len(_documents(path)))],
    ids=lambda d: f"{d[0]}-{d[1]}",
)
def test_each_shipped_manifest_is_a_valid_kubernetes_resource(document):
    name, index = document
    resource = _documents(MANIFESTS[name])[index]
    validated = kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
    assert validated == KUBERNETES_VERSION


@pytest.mark.parametrize(
    ("where", "value", "definition"),
    embedded_objects(_values()),
    ids=[where for where, _, _ in embedded_objects(_values())],
)
def test_each_kubernetes_object_in_the_helm_values_is_valid(where, value, definition):
    validate_object(value, definition)


def test_the_validators_refuse_what_kubernetes_refuses():
    """Strict schemas, really applied: a misspelled field fails each check."""
    probe = copy.deepcopy(_values()["dagsterWebserver"]["livenessProbe"])
    probe["periodSecond"] = probe.pop("periodSeconds")
    with pytest.raises(jsonschema.ValidationError, match="periodSecond"):
        validate_object(probe, "Probe")
    with pytest.raises(jsonschema.ValidationError):
        validate_object({"requests": {"cpu": ["250m"]}}, "ResourceRequirements")
    policy = copy.deepcopy(_documents(MANIFESTS["networkpolicy"])[0])
    policy["spec"]["policyType"] = policy["spec"].pop("policyTypes")
    with pytest.raises(kubernetes_validate.ValidationError, match="policyType"):
        kubernetes_validate.validate(policy, KUBERNETES_VERSION, strict=True)


def test_every_long_running_container_has_readiness_and_liveness_probes():
    containers = _long_running_containers(_values())
    for name, container in containers.items():
        assert container.get("readinessProbe"), name
        assert container.get("livenessProbe"), name
        assert container["readinessProbe"].get("enabled", True) is True, name
    grpc_check = ["dagster", "api", "grpc-health-check", "-p", "4000"]
    assert containers["code server"]["readinessProbe"]["exec"]["command"] == grpc_check
    assert containers["code server"]["livenessProbe"]["exec"]["command"] == grpc_check
    for key in ("readinessProbe", "livenessProbe"):
        assert containers["webserver"][key]["httpGet"]["path"] == "/server_info"
        assert containers["metrics sidecar"][key]["httpGet"] == {
            "path": "/metrics",
            "port": "metrics",
        }
        assert containers["daemon"][key]["exec"]["command"] == ["dagster-daemon", "liveness-check"]


def test_api_style_pods_have_the_design_requests_and_limits():
    for name, container in _long_running_containers(_values()).items():
        assert container["resources"] == API_RESOURCES, name


def test_only_the_ingress_controller_reaches_the_webservers():
    policy = next(
        doc
        for doc in _documents(MANIFESTS["networkpolicy"])
        if doc["metadata"]["name"] == "payroll-webservers-from-ingress-only"
    )
    spec = policy["spec"]
    assert spec["policyTypes"] == ["Ingress"]
    selector = spec["podSelector"]
    assert selector["matchLabels"] == {
        "app.kubernetes.io/name": "dagster",
        "app.kubernetes.io/instance": "payroll",
    }
    (expression,) = selector["matchExpressions"]
    assert expression["key"] == "component" and set(expression["values"]) == WEBSERVER_COMPONENTS
    (rule,) = spec["ingress"]
    (peer,) = rule["from"]
    assert peer["namespaceSelector"] == {
        "matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}
    }
    assert rule["ports"] == [{"protocol": "TCP", "port": 80}]


def test_only_the_dagster_pods_and_the_metrics_server_reach_postgres():
    policies = {
        doc["metadata"]["name"]: doc["spec"] for doc in _documents(MANIFESTS["networkpolicy"])
    }
    everyone = policies["payroll-egress-except-postgres"]
    clients = policies["payroll-egress-postgres-clients"]
    in_cluster = policies["payroll-postgres-from-clients-only"]
    database = clients["egress"][0]["to"][0]["ipBlock"]["cidr"]
    assert everyone["podSelector"] == {}
    assert everyone["egress"][1]["to"][0]["ipBlock"]["except"] == [database]
    assert clients["podSelector"] == {"matchLabels": POSTGRES_CLIENT}
    assert clients["egress"][0]["ports"] == [{"protocol": "TCP", "port": 5432}]
    assert in_cluster["ingress"][0]["from"] == [{"podSelector": {"matchLabels": POSTGRES_CLIENT}}]
    # the label is on every Dagster pod: webservers, daemon, code server (and
    # its metrics sidecar), run pods
    values = _values()
    labelled = {
        "webserver": values["dagsterWebserver"]["labels"],
        "daemon": values["dagsterDaemon"]["labels"],
        "code server": values["dagster-user-deployments"]["deployments"][0]["labels"],
        "run pods": values["runLauncher"]["config"]["k8sRunLauncher"]["runK8sConfig"][
            "podTemplateSpecMetadata"
        ]["labels"],
    }
    for name, labels in labelled.items():
        assert POSTGRES_CLIENT.items() <= labels.items(), name
    rendered = yaml.safe_load((HELM / "dagster.yaml").read_text())
    run_metadata = rendered["run_launcher"]["config"]["run_k8s_config"][
        "pod_template_spec_metadata"
    ]
    assert POSTGRES_CLIENT.items() <= run_metadata["labels"].items()


def test_the_ingress_logs_users_in_and_sends_each_role_to_its_webserver():
    ingresses = {doc["metadata"]["name"]: doc for doc in _documents(MANIFESTS["ingress"])}
    deployment_env = _values()["dagster-user-deployments"]["deployments"][0]["env"]

    def backend(name: str) -> str:
        service = ingresses[name]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
        return f"http://{service['name']}:{service['port']['number']}"

    assert backend("payroll-ui") == deployment_env["PAYROLL_VIEWER_WEBSERVER_URL"]
    assert backend("payroll-ops") == deployment_env["PAYROLL_OPERATOR_WEBSERVER_URL"]
    for name, groups in (
        ("payroll-ui", "payroll-viewers,payroll-operators"),
        ("payroll-ops", "payroll-operators"),
    ):
        annotations = ingresses[name]["metadata"]["annotations"]
        auth_url = annotations["nginx.ingress.kubernetes.io/auth-url"]
        assert auth_url.endswith(f"/oauth2/auth?allowed_groups={groups}"), name
        assert "nginx.ingress.kubernetes.io/auth-signin" in annotations, name
        assert int(annotations["nginx.ingress.kubernetes.io/limit-rps"]) > 0, name
    host = ingresses["payroll-ui"]["spec"]["rules"][0]["host"]
    assert deployment_env["PAYROLL_PROXY_URL"] == f"https://{host}"
    assert "annotations" not in ingresses["payroll-oauth2"]["metadata"]
