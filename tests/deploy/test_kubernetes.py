"""The Kubernetes manifests under deploy/kubernetes, read as their kustomizations list them.

No cluster runs here and Helm cannot be installed, so the manifests are static (Kustomize)
and checked as they are: against the Kubernetes schemas (kubernetes-validate, offline), and
for what the architecture needs of them. The security scan is `make deploy-check` (checkov).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from townhall_platform.settings import SECRETS_DIR_VARIABLE

ROOT = Path(__file__).resolve().parents[2] / "deploy" / "kubernetes"
SERVICES = ("policy", "publishing", "search", "notifications", "portal")

Manifest = dict[str, Any]


def kustomization_files(directory: Path) -> Iterator[Path]:
    """Every resource file a kustomization includes, following included directories."""
    listed = yaml.safe_load((directory / "kustomization.yaml").read_text())
    for entry in listed["resources"]:
        target = (directory / entry).resolve()
        if target.is_dir():
            yield target / "kustomization.yaml"
            yield from kustomization_files(target)
        else:
            yield target


def load(path: Path) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def everything() -> list[Manifest]:
    """The services' and the migrate Jobs' manifests, each once."""
    files = {*kustomization_files(ROOT), *kustomization_files(ROOT / "migrate")}
    docs = [
        doc for path in sorted(files) if path.name != "kustomization.yaml" for doc in load(path)
    ]
    return docs


def of_kind(docs: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def pod_templates(docs: list[Manifest]) -> dict[str, Manifest]:
    """Each workload's pod template, keyed `Kind/name`."""
    kinds = ("Deployment", "StatefulSet", "Job")
    return {
        f"{doc['kind']}/{doc['metadata']['name']}": doc["spec"]["template"]
        for doc in docs
        if doc["kind"] in kinds
    }


def selects(selector: Manifest, labels: dict[str, str]) -> bool:
    """A label selector (matchLabels only: the manifests use no expressions) on labels."""
    assert set(selector) <= {"matchLabels"}, selector
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def config_env(docs: list[Manifest], template: Manifest) -> dict[str, str]:
    """The environment a pod's first container sees from its ConfigMaps and `env`."""
    container = template["spec"]["containers"][0]
    maps = of_kind(docs, "ConfigMap")
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            env.update(maps[source["configMapRef"]["name"]]["data"])
    env.update({e["name"]: e["value"] for e in container.get("env", []) if "value" in e})
    return env


def settings_class(service: str) -> type[Any]:
    module = importlib.import_module(f"townhall_{service}.settings")
    return next(v for k, v in vars(module).items() if k.lower() == f"{service}settings")


# The keys each service's `<service>-secrets` must hold (docs/operations.md, "Kubernetes").
SECRET_KEYS = {
    "policy": ("DATABASE_URL", "SERVICE_TOKEN", "AUDIT_KEY"),
    "publishing": ("DATABASE_URL", "SERVICE_TOKEN", "NATS_PASSWORD"),
    "search": ("SERVICE_TOKEN", "OPENSEARCH_URL", "CURSOR_SECRET", "NATS_PASSWORD"),
    "notifications": (
        "DATABASE_URL",
        "SERVICE_TOKEN",
        "NATS_PASSWORD",
        "SMTP_USERNAME",
        "SMTP_PASSWORD",
        "UNSUBSCRIBE_SECRET",
    ),
    "portal": ("SESSION_SECRET", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"),
}
FAKE_SECRETS = {
    "DATABASE_URL": "postgresql://townhall:s3cr3t-pw@postgresql:5432/db",
    "OPENSEARCH_URL": "https://search-svc:s3cr3t-pw@opensearch:9200",
}


@pytest.fixture(scope="module")
def docs() -> list[Manifest]:
    return everything()


def test_every_file_under_deploy_kubernetes_is_in_a_kustomization() -> None:
    listed = {*kustomization_files(ROOT), *kustomization_files(ROOT / "migrate")}
    listed |= {ROOT / "kustomization.yaml", ROOT / "migrate" / "kustomization.yaml"}
    assert set(ROOT.rglob("*.yaml")) == listed


def test_every_manifest_is_valid_against_the_kubernetes_schemas(docs: list[Manifest]) -> None:
    # Strict: an unknown field (a misspelt one) is an error, not silently dropped.
    version = "1.37.0"
    for doc in docs:
        kubernetes_validate.validate(doc, version, strict=True)
    assert len(docs) > 30


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_is_probed_limited_and_confined(docs: list[Manifest], service: str) -> None:
    deployment = of_kind(docs, "Deployment")[service]
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["command"] == [f"townhall-{service}"] and container["args"] == ["serve"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["startupProbe"]["httpGet"]["path"] == "/healthz"
    for kind in ("requests", "limits"):
        assert set(container["resources"][kind]) == {"cpu", "memory"}
    _assert_confined(pod)
    service_doc = of_kind(docs, "Service")[service]
    assert selects({"matchLabels": service_doc["spec"]["selector"]}, _labels(deployment))
    (port,) = container["ports"]
    assert service_doc["spec"]["ports"][0]["port"] == port["containerPort"]
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_every_workload_runs_non_root_on_a_read_only_root(docs: list[Manifest]) -> None:
    templates = pod_templates(docs)
    assert {"StatefulSet/nats", "Job/policy-migrate"} <= set(templates)
    for template in templates.values():
        _assert_confined(template["spec"])


def _assert_confined(pod: Manifest) -> None:
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] >= 10000
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    for container in pod["containers"]:
        confined = container["securityContext"]
        assert confined["readOnlyRootFilesystem"] is True
        assert confined["allowPrivilegeEscalation"] is False
        assert confined["capabilities"] == {"drop": ["ALL"]}
        assert "limits" in container["resources"]


def _labels(workload: Manifest) -> dict[str, str]:
    return dict(workload["spec"]["template"]["metadata"]["labels"])


def test_every_workload_has_a_disruption_budget(docs: list[Manifest]) -> None:
    budgets = list(of_kind(docs, "PodDisruptionBudget").values())
    workloads = [*of_kind(docs, "Deployment").values(), *of_kind(docs, "StatefulSet").values()]
    for workload in workloads:
        matching = [b for b in budgets if selects(b["spec"]["selector"], _labels(workload))]
        assert len(matching) == 1, workload["metadata"]["name"]
        assert matching[0]["spec"]["minAvailable"] < workload["spec"]["replicas"]


def test_autoscalers_scale_the_request_serving_services(docs: list[Manifest]) -> None:
    autoscalers = of_kind(docs, "HorizontalPodAutoscaler")
    assert set(autoscalers) == {"policy", "publishing", "search", "portal"}
    deployments = of_kind(docs, "Deployment")
    for name, hpa in autoscalers.items():
        target = hpa["spec"]["scaleTargetRef"]
        assert target["kind"] == "Deployment" and target["name"] == name
        assert hpa["spec"]["minReplicas"] == deployments[name]["spec"]["replicas"] >= 2
        assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]


@pytest.mark.parametrize("service", ("policy", "publishing", "notifications", "search"))
def test_a_migrate_job_runs_the_services_own_migrate_command(
    docs: list[Manifest], service: str
) -> None:
    job = of_kind(docs, "Job")[f"{service}-migrate"]
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["command"] == [f"townhall-{service}"] and container["args"] == ["migrate"]
    (served,) = of_kind(docs, "Deployment")[service]["spec"]["template"]["spec"]["containers"]
    assert container["image"] == served["image"]
    assert container["envFrom"] == served["envFrom"]
    cli = importlib.import_module(f"townhall_{service}.cli")
    commands = {c.name or c.callback.__name__ for c in cli.main.registered_commands}
    assert "migrate" in commands and "serve" in commands


@pytest.mark.parametrize("service", SERVICES)
def test_the_configuration_names_real_settings_and_loads_in_production(
    docs: list[Manifest], service: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    prefix = f"TOWNHALL_{service.upper()}_"
    template = of_kind(docs, "Deployment")[service]["spec"]["template"]
    env = config_env(docs, template)
    fields = set(settings_class(service).model_fields)
    secrets_dir = env.pop(SECRETS_DIR_VARIABLE)
    for key in env:
        # The settings ignore unknown variables: a misspelt one would go unnoticed.
        assert key.startswith(prefix) and key.removeprefix(prefix).lower() in fields, key
    # The Secret is mounted where the settings read their files, not put in the environment.
    mounts = {m["name"]: m for m in template["spec"]["containers"][0]["volumeMounts"]}
    volumes = {v["name"]: v for v in template["spec"]["volumes"]}
    assert mounts["secrets"]["mountPath"] == secrets_dir and mounts["secrets"]["readOnly"]
    assert volumes["secrets"]["secret"]["secretName"] == f"{service}-secrets"
    for key in SECRET_KEYS[service]:
        assert key.lower() in fields, key
        value = FAKE_SECRETS.get(key, f"not-a-placeholder-{key.lower()}-{'k' * 32}")
        (tmp_path / (prefix + key)).write_text(value + "\n")
    for name in list(os.environ):
        if name.startswith(prefix):
            monkeypatch.delenv(name)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv(SECRETS_DIR_VARIABLE, str(tmp_path))
    settings = settings_class(service)()
    assert settings.environment == "production" and not settings.is_development
    assert settings.log_json is True
    if "DATABASE_URL" in SECRET_KEYS[service]:
        assert settings.database_url == FAKE_SECRETS["DATABASE_URL"]


def test_the_operations_guide_names_every_secret_key() -> None:
    guide = (ROOT.parents[1] / "docs" / "operations.md").read_text()
    for service, keys in SECRET_KEYS.items():
        assert f"`{service}-secrets`" in guide
        for key in keys:
            assert f"`TOWNHALL_{service.upper()}_{key}`" in guide, (service, key)


def test_service_addresses_in_the_settings_name_services_of_the_manifests(
    docs: list[Manifest],
) -> None:
    services = of_kind(docs, "Service")
    for config in of_kind(docs, "ConfigMap").values():
        for key, value in config.get("data", {}).items():
            if not key.endswith("_URL") or not value.startswith("http://"):
                continue
            host, port = value.removeprefix("http://").split(":")
            assert services[host]["spec"]["ports"][0]["port"] == int(port), key
        for key, value in config.get("data", {}).items():
            if key.endswith("_NATS_URL"):
                # The three nodes, over TLS (the services' users and CA: config and Secrets).
                assert value.count("tls://") == 3, key


def _admits(policies: list[Manifest], target: Manifest, port: int, source: Manifest) -> bool:
    """Whether ingress to `target` (labels, named ports) on `port` admits `source`.

    `source` has `labels` and, when it is another namespace's pod, `namespace_labels`.
    """
    selecting = [p for p in policies if selects(p["spec"]["podSelector"], target["labels"])]
    if not selecting:
        return True
    for policy in selecting:
        for rule in policy["spec"].get("ingress", []):
            ports = [target["ports"].get(p["port"], p["port"]) for p in rule.get("ports", [])]
            if ports and port not in ports:
                continue
            peers = rule.get("from")
            if peers is None or any(_peer_matches(peer, source) for peer in peers):
                return True
    return False


def _peer_matches(peer: Manifest, source: Manifest) -> bool:
    if "namespaceSelector" in peer:
        return "namespace_labels" in source and selects(
            peer["namespaceSelector"], source["namespace_labels"]
        )
    return "namespace_labels" not in source and selects(peer["podSelector"], source["labels"])


def test_network_policies_admit_only_the_paths_the_architecture_needs(
    docs: list[Manifest],
) -> None:
    policies = list(of_kind(docs, "NetworkPolicy").values())
    pods = {
        name: {"labels": t["metadata"]["labels"], "env": config_env(docs, t)}
        for name, t in pod_templates(docs).items()
    }
    outside = {"labels": {}, "namespace_labels": {"kubernetes.io/metadata.name": "elsewhere"}}

    def callers(target: Manifest, port: int) -> set[str]:
        return {name for name, pod in pods.items() if _admits(policies, target, port, pod)}

    def service_of(name: str) -> str:
        return name.split("/")[1].removesuffix("-migrate")

    for service in SERVICES:
        api = {"labels": _labels(of_kind(docs, "Deployment")[service]), "ports": {"http": 1}}
        assert _admits(policies, api, 1, outside), service
    with_database = {
        name for name in pods if "DATABASE_URL" in SECRET_KEYS.get(service_of(name), ())
    }
    postgresql = {"labels": {"app.kubernetes.io/name": "postgresql"}, "ports": {}}
    assert callers(postgresql, 5432) == with_database
    assert not _admits(policies, postgresql, 5432, outside)
    opensearch = {"labels": {"app.kubernetes.io/name": "opensearch"}, "ports": {}}
    assert callers(opensearch, 9200) == {"Deployment/search", "Job/search-migrate"}
    nats = {"labels": _labels(of_kind(docs, "StatefulSet")["nats"]), "ports": {}}
    with_bus = {n for n, pod in pods.items() if any(k.endswith("_NATS_URL") for k in pod["env"])}
    assert callers(nats, 4222) == with_bus
    assert {"Deployment/publishing", "Deployment/search", "Deployment/notifications"} <= with_bus
    assert callers(nats, 6222) == {"StatefulSet/nats"}
    assert not any(_admits(policies, nats, port, outside) for port in (4222, 6222, 8222))
    monitoring = {"labels": {}, "namespace_labels": {"townhall.dev/monitoring": "true"}}
    assert _admits(policies, nats, 8222, monitoring)


def _egress_admits(policies: list[Manifest], source: Manifest, port: int, dest: Manifest) -> bool:
    """Whether egress from `source` (labels) to `dest` on `port` is allowed.

    `dest` has `labels` and `namespace_labels` (a pod), or `outside: True` (an address
    outside the cluster, which only an ipBlock admits).
    """
    selecting = [
        p
        for p in policies
        if "Egress" in p["spec"]["policyTypes"]
        and selects(p["spec"]["podSelector"], source["labels"])
    ]
    if not selecting:
        return True
    for policy in selecting:
        for rule in policy["spec"].get("egress", []):
            ports = [p["port"] for p in rule.get("ports", [])]
            if ports and port not in ports:
                continue
            peers = rule.get("to")
            if peers is None or any(_egress_peer_matches(peer, dest) for peer in peers):
                return True
    return False


def _egress_peer_matches(peer: Manifest, dest: Manifest) -> bool:
    if "ipBlock" in peer:
        return bool(dest.get("outside"))
    if dest.get("outside"):
        return False
    namespace = peer.get("namespaceSelector")
    if namespace is None:
        same = dest["namespace_labels"].get("kubernetes.io/metadata.name") == "townhall"
    else:
        same = selects(namespace, dest["namespace_labels"])
    return same and selects(peer.get("podSelector", {}), dest["labels"])


def test_network_policies_let_each_pod_reach_only_what_it_needs(docs: list[Manifest]) -> None:
    policies = list(of_kind(docs, "NetworkPolicy").values())
    pods = {
        name: {"labels": t["metadata"]["labels"], "env": config_env(docs, t)}
        for name, t in pod_templates(docs).items()
    }
    here = {"kubernetes.io/metadata.name": "townhall"}
    outside = {"outside": True}
    dns = {
        "labels": {"k8s-app": "kube-dns"},
        "namespace_labels": {"kubernetes.io/metadata.name": "kube-system"},
    }

    def reaching(dest: Manifest, port: int) -> set[str]:
        return {name for name, pod in pods.items() if _egress_admits(policies, pod, port, dest)}

    assert reaching(dns, 53) == set(pods)
    apis = {"policy": 8101, "publishing": 8102, "search": 8103, "notifications": 8104}
    for service, port in apis.items():
        dest = {"labels": _labels(of_kind(docs, "Deployment")[service]), "namespace_labels": here}
        # Exactly the services configured with its address call it (a migrate Job shares
        # its service's settings but calls no other service).
        callers = {
            name
            for name, pod in pods.items()
            if name.startswith("Deployment/")
            and any(v.startswith(f"http://{service}:") for v in pod["env"].values())
        }
        assert reaching(dest, port) == callers, service
    with_database = {
        name
        for name in pods
        if "DATABASE_URL" in SECRET_KEYS.get(name.split("/")[1].removesuffix("-migrate"), ())
    }
    assert reaching(outside, 5432) == with_database
    assert reaching(outside, 9200) == {"Deployment/search", "Job/search-migrate"}
    with_bus = {n for n, pod in pods.items() if any(k.endswith("_NATS_URL") for k in pod["env"])}
    assert reaching(outside, 4222) == with_bus
    nats = {"labels": _labels(of_kind(docs, "StatefulSet")["nats"]), "namespace_labels": here}
    assert reaching(nats, 6222) == {"StatefulSet/nats"}
    # Outside the cluster: HTTPS for the identity provider from the services, and mail and
    # webhooks from notifications alone; the migrate Jobs and NATS reach nothing there.
    deployments = {name for name in pods if name.startswith("Deployment/")}
    assert reaching(outside, 443) == deployments
    for port in (25, 465, 587, 80):
        assert reaching(outside, port) == {"Deployment/notifications"}, port
    assert not any(_egress_admits(policies, pods[n], 443, outside) for n in pods if "Job/" in n)
