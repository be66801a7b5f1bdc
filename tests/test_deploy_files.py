"""Static checks of the deployment files: compose, Dockerfile, k8s, Tiltfile and infra configs.

There is no container engine or cluster here, so these tests read the files: every YAML parses,
the service list in each place matches the workspace's services, Kubernetes pods are hardened,
kustomizations point at files that exist, every fetcher provider has its own Deployment and
KEDA ScaledObject on its JetStream consumer, and nginx sends /api and the WebSocket to the
gateway. The provider list comes from walletscan_contracts.providers: each provider has its
component, compose service, Prometheus target and ScaledObject, and its rate limit times its
replica ceiling stays within the quota its ScaledObject names. Where a real tool is on the
machine (kubectl's kustomize, nats-server, nginx) the files are also checked by it; otherwise
those tests skip.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from walletscan_contracts import providers as provider_names
from walletscan_contracts.streams import FETCH_JOBS, fetch_consumer

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "k8s"
INFRA = ROOT / "infra"

# The backend services are the workspace's services/* folders; each runs as
# `python -m walletscan_<name>`.
SERVICES = sorted(p.parent.name for p in (ROOT / "services").glob("*/pyproject.toml"))
HTTP_SERVICES = {"gateway"}
# One fetcher per provider the code knows (its families and its default orders), each a k8s
# component folder fetcher-<provider>.
PROVIDERS = sorted(
    set(provider_names.BITCOIN_FAMILY_PROVIDERS)
    | set(provider_names.EVM_PROVIDERS)
    | {p for order in provider_names.DEFAULT_ORDER.values() for p in order}
)
COMPONENT_FOLDERS = sorted(
    p.name.removeprefix("fetcher-") for p in (K8S / "components").glob("fetcher-*")
)
# The ScaledObject annotation naming the provider's quota for all replicas (requests/s).
QUOTA_ANNOTATION = "walletscan.io/provider-quota-rps"
# Environment variables that hold a key (or a URL that may carry one): never written in a file.
SECRET_ENV = re.compile(r"^WALLETSCAN_(\w+_API_KEY|JWT_PRIVATE_KEY|EVM_RPC_URL_\w+)$")
METRICS_PORT = 9464
NAMESPACE = "walletscan"

# What every backend process reads from its environment (ARCHITECTURE §8, settings).
COMMON_ENV = {
    "WALLETSCAN_ENVIRONMENT",
    "WALLETSCAN_NATS_URL",
    "WALLETSCAN_MONGODB_URL",
    "WALLETSCAN_MONGODB_DATABASE",
    "WALLETSCAN_METRICS_PORT",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
}


def workload_names() -> list[str]:
    """Compose service / k8s workload names of the backend: one per service, fetchers per
    provider."""
    names = [s for s in SERVICES if s != "fetcher"]
    names += [f"fetcher-{p}" for p in PROVIDERS]
    return sorted(names)


def expected_command(workload: str) -> list[str]:
    if workload.startswith("fetcher-"):
        provider = workload.removeprefix("fetcher-")
        return ["python", "-m", "walletscan_fetcher", "--provider", provider]
    return ["python", "-m", f"walletscan_{workload}"]


def load_yaml_docs(path: Path) -> list[Any]:
    with path.open(encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def load_yaml(path: Path) -> Any:
    docs = load_yaml_docs(path)
    assert len(docs) == 1, f"{path}: expected one YAML document, found {len(docs)}"
    return docs[0]


def rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def yaml_files() -> list[Path]:
    files = [ROOT / "compose.yaml"]
    for folder in (K8S, INFRA):
        files += sorted(folder.rglob("*.yaml")) + sorted(folder.rglob("*.yml"))
    return files


# --------------------------------------------------------------------------------------------
# every YAML file


def test_the_service_list_is_known() -> None:
    assert set(SERVICES) >= {"gateway", "auth", "derivation", "fetcher", "aggregator", "report"}
    assert "esplora" in PROVIDERS


def test_every_provider_has_a_component_and_no_other() -> None:
    assert COMPONENT_FOLDERS == PROVIDERS


def test_the_fetcher_registers_every_provider() -> None:
    registry = pytest.importorskip("walletscan_fetcher.registry")
    assert sorted(registry.PROVIDERS) == PROVIDERS


@pytest.mark.parametrize("path", yaml_files(), ids=rel)
def test_every_yaml_file_parses(path: Path) -> None:
    docs = load_yaml_docs(path)
    assert docs, f"{rel(path)} is empty"
    for doc in docs:
        assert isinstance(doc, dict), f"{rel(path)}: a document is not a mapping"


# --------------------------------------------------------------------------------------------
# compose


@cache
def compose_services() -> dict[str, dict[str, Any]]:
    """Services of compose.yaml merged with those of the files it includes, each with the
    folder its relative paths resolve from."""
    top = load_yaml(ROOT / "compose.yaml")
    services: dict[str, dict[str, Any]] = {}
    sources: list[tuple[Path, dict[str, Any]]] = [(ROOT, top)]
    for entry in top.get("include", []):
        path = entry if isinstance(entry, str) else entry["path"]
        included = ROOT / path
        assert included.is_file(), f"compose.yaml includes {path}, which does not exist"
        sources.append((included.parent, load_yaml(included)))
    for base_dir, doc in sources:
        for name, svc in (doc.get("services") or {}).items():
            assert name not in services, f"compose service {name} is defined twice"
            services[name] = {**svc, "_dir": base_dir}
    return services


def env_of(svc: dict[str, Any]) -> dict[str, Any]:
    env = svc.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return env


def test_compose_services_match_the_service_list() -> None:
    infra = {"nats", "mongo", "nginx", "frontend"}
    observability = {"otel-collector", "jaeger", "prometheus", "grafana"}
    assert set(compose_services()) == set(workload_names()) | infra | observability


@pytest.mark.parametrize("workload", workload_names())
def test_compose_backend_service_runs_its_module_hardened(workload: str) -> None:
    svc = compose_services()[workload]
    assert svc["command"] == expected_command(workload)
    assert svc["image"] == "walletscan:dev"
    assert svc["build"]["context"] == "."
    assert svc.get("read_only") is True
    assert "/tmp" in svc.get("tmpfs", [])
    assert svc.get("cap_drop") == ["ALL"]
    env = env_of(svc)
    assert env.keys() >= COMMON_ENV, f"{workload} lacks {COMMON_ENV - env.keys()}"
    assert env["OTEL_SERVICE_NAME"] == workload
    assert env["WALLETSCAN_NATS_URL"] == "nats://nats:4222"
    assert env["WALLETSCAN_MONGODB_URL"] == "mongodb://mongo:27017"
    assert str(env["WALLETSCAN_METRICS_PORT"]) == str(METRICS_PORT)
    assert {"nats", "mongo"} <= set(svc["depends_on"])
    assert "healthcheck" in svc


def test_compose_fetchers_get_their_provider_settings() -> None:
    env = env_of(compose_services()["fetcher-esplora"])
    assert {"WALLETSCAN_ESPLORA_BITCOIN_URL", "WALLETSCAN_ESPLORA_TESTNET_URL"} <= env.keys()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_compose_has_a_fetcher_per_provider_that_knows_every_provider(provider: str) -> None:
    env = env_of(compose_services()[f"fetcher-{provider}"])
    # Every fetcher reads every provider's settings: its fallback order needs them.
    for other in PROVIDERS:
        assert f"WALLETSCAN_{other.upper()}_REQUESTS_PER_SECOND" in env or other == "esplora"
    running = provider_names.parse_order(env["WALLETSCAN_FETCHER_PROVIDERS"])
    assert sorted(running) == PROVIDERS


def test_compose_gateway_has_http_settings_and_health() -> None:
    gateway = compose_services()["gateway"]
    env = env_of(gateway)
    assert {"WALLETSCAN_ALLOWED_ORIGINS", "WALLETSCAN_COOKIE_SECURE"} <= env.keys()
    assert "WALLETSCAN_JWT_PRIVATE_KEY" in env
    assert "/api/health" in " ".join(gateway["healthcheck"]["test"])


def test_compose_secrets_are_not_written_in_the_file() -> None:
    for name, svc in compose_services().items():
        key = env_of(svc).get("WALLETSCAN_JWT_PRIVATE_KEY")
        assert key is None, f"{name}: the JWT key must come from the shell, not the file"


def test_compose_provider_keys_pass_through_from_the_shell() -> None:
    keys = {"WALLETSCAN_TATUM_API_KEY", "WALLETSCAN_ETHERSCAN_API_KEY", "WALLETSCAN_INFURA_API_KEY"}
    for name, svc in compose_services().items():
        env = env_of(svc)
        if name.startswith("fetcher-"):
            assert keys <= env.keys(), f"{name} lacks {keys - env.keys()}"
        for var, value in env.items():
            if SECRET_ENV.match(var):
                # A bare name: the shell's value when set, left out otherwise.
                assert value is None, f"{name}: {var} must come from the shell, not the file"


def test_compose_nats_runs_jetstream_on_a_volume() -> None:
    nats = compose_services()["nats"]
    assert nats["image"].startswith("nats:2.12")
    mounts = nats["volumes"]
    assert any(m.startswith("nats-data:") for m in mounts)
    assert any("nats-server.conf" in m for m in mounts)
    assert "/etc/nats/nats-server.conf" in nats["command"]


def test_compose_infrastructure_images() -> None:
    images = {name: svc.get("image", "") for name, svc in compose_services().items()}
    assert images["mongo"] == "mongo:8"
    assert images["nginx"] == "nginx:1.27-alpine"
    assert images["prometheus"].startswith("prom/prometheus")
    assert images["grafana"].startswith("grafana/grafana")
    assert images["otel-collector"].startswith("otel/opentelemetry-collector-contrib")
    assert images["jaeger"].startswith("jaegertracing/jaeger")
    assert any(m.startswith("mongo-data:") for m in compose_services()["mongo"]["volumes"])


def test_compose_frontend_is_built_from_frontend_folder() -> None:
    frontend = compose_services()["frontend"]
    assert frontend["build"]["context"] == "./frontend"


def test_compose_bind_mounts_exist() -> None:
    for name, svc in compose_services().items():
        for mount in svc.get("volumes", []):
            source = mount.split(":", 1)[0]
            if source.startswith("."):
                path = (svc["_dir"] / source).resolve()
                assert path.exists(), f"{name} mounts {source}, missing at {path}"


def test_compose_ports_bind_loopback_only() -> None:
    for name, svc in compose_services().items():
        for port in svc.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond loopback"


def test_prometheus_scrapes_every_backend_service() -> None:
    config = load_yaml(INFRA / "prometheus" / "prometheus.yaml")
    targets = {
        target
        for job in config["scrape_configs"]
        for static in job.get("static_configs", [])
        for target in static["targets"]
    }
    for workload in workload_names():
        assert f"{workload}:{METRICS_PORT}" in targets, f"Prometheus does not scrape {workload}"
    providers = {
        static["labels"]["provider"]
        for job in config["scrape_configs"]
        for static in job.get("static_configs", [])
        if static.get("labels", {}).get("service") == "fetcher"
    }
    assert sorted(providers) == PROVIDERS


# --------------------------------------------------------------------------------------------
# Dockerfile


def dockerfile() -> str:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    return text.replace("\\\n", " ")


def test_dockerfile_installs_every_service_from_the_lock() -> None:
    text = dockerfile()
    for service in SERVICES:
        assert f"--package walletscan-{service}" in text, f"image lacks walletscan-{service}"
    syncs = [line for line in text.splitlines() if "uv sync" in line]
    assert syncs
    for line in syncs:
        assert "--frozen" in line
        assert "--no-dev" in line


def test_dockerfile_copies_every_workspace_member_manifest() -> None:
    text = dockerfile()
    members = sorted((ROOT / "libs").glob("*/pyproject.toml"))
    members += sorted((ROOT / "services").glob("*/pyproject.toml"))
    for manifest in members:
        assert f"COPY {rel(manifest)} " in text, f"Dockerfile does not copy {rel(manifest)}"


def test_dockerfile_runs_as_a_numeric_non_root_user() -> None:
    users = re.findall(r"^USER\s+(\S+)", dockerfile(), flags=re.MULTILINE)
    assert users, "no USER line"
    uid = users[-1].split(":")[0]
    assert uid.isdigit()
    assert int(uid) != 0


def test_dockerignore_keeps_local_state_out() -> None:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    for entry in ("**/.venv", ".git", "frontend"):
        assert entry in lines


# --------------------------------------------------------------------------------------------
# Kubernetes


def kustomizations() -> list[Path]:
    return sorted(K8S.rglob("kustomization.yaml"))


@pytest.mark.parametrize("path", kustomizations(), ids=rel)
def test_kustomization_references_exist(path: Path) -> None:
    doc = load_yaml(path)
    folder = path.parent
    refs = list(doc.get("resources", [])) + list(doc.get("components", []))
    for generator in doc.get("configMapGenerator", []) + doc.get("secretGenerator", []):
        refs += [f.rpartition("=")[2] for f in generator.get("files", [])]
        refs += generator.get("envs", [])
    for patch in doc.get("patches", []):
        if "path" in patch:
            refs.append(patch["path"])
    assert refs, f"{rel(path)} references nothing"
    for ref in refs:
        target = (folder / ref).resolve()
        assert target.exists(), f"{rel(path)} references {ref}, which does not exist"
        if target.is_dir():
            assert (target / "kustomization.yaml").is_file(), f"{ref} is not a kustomization"


def test_every_k8s_manifest_is_referenced_by_a_kustomization() -> None:
    referenced = {
        (path.parent / ref).resolve()
        for path in kustomizations()
        for ref in load_yaml(path).get("resources", [])
    }
    for manifest in sorted(K8S.rglob("*.yaml")):
        if manifest.name != "kustomization.yaml":
            assert manifest.resolve() in referenced, f"{rel(manifest)} is in no kustomization"


def manifests_under(folder: Path) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted(folder.rglob("*.yaml")):
        if path.name != "kustomization.yaml":
            docs += load_yaml_docs(path)
    return docs


def all_workloads() -> list[dict[str, Any]]:
    return [d for d in manifests_under(K8S) if d["kind"] in {"Deployment", "StatefulSet"}]


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


@pytest.mark.parametrize("workload", all_workloads(), ids=lambda d: d["metadata"]["name"])
def test_every_k8s_workload_is_hardened(workload: dict[str, Any]) -> None:
    name = workload["metadata"]["name"]
    pod = workload["spec"]["template"]["spec"]
    pod_security = pod.get("securityContext", {})
    assert pod.get("automountServiceAccountToken") is False, name
    tmp_volumes = {v["name"] for v in pod.get("volumes", []) if "emptyDir" in v}
    for container in pod["containers"]:
        where = f"{name}/{container['name']}"
        security = container.get("securityContext", {})
        run_as_non_root = security.get("runAsNonRoot", pod_security.get("runAsNonRoot"))
        assert run_as_non_root is True, f"{where}: runAsNonRoot"
        assert security.get("readOnlyRootFilesystem") is True, f"{where}: readOnlyRootFilesystem"
        assert security.get("allowPrivilegeEscalation") is False, f"{where}: privilege escalation"
        assert security.get("capabilities", {}).get("drop") == ["ALL"], f"{where}: capabilities"
        seccomp = security.get("seccompProfile", pod_security.get("seccompProfile", {}))
        assert seccomp.get("type") == "RuntimeDefault", f"{where}: seccomp"
        assert "livenessProbe" in container, f"{where}: livenessProbe"
        assert "readinessProbe" in container, f"{where}: readinessProbe"
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            assert {"cpu", "memory"} <= resources.get(bound, {}).keys(), f"{where}: {bound}"
        tmp_mounts = [m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
        assert tmp_mounts, f"{where}: no writable /tmp"
        assert tmp_mounts[0]["name"] in tmp_volumes, f"{where}: /tmp is not an emptyDir"


def python_workloads() -> dict[str, dict[str, Any]]:
    return {
        name: d
        for name, d in by_kind(manifests_under(K8S), "Deployment").items()
        if d["spec"]["template"]["spec"]["containers"][0]["image"] == "walletscan"
    }


def test_k8s_has_one_deployment_per_service_and_provider() -> None:
    assert sorted(python_workloads()) == workload_names()
    base = manifests_under(K8S / "base")
    assert sorted(by_kind(base, "Deployment")) == [s for s in SERVICES if s != "fetcher"]


@pytest.mark.parametrize("workload", workload_names())
def test_k8s_deployment_runs_its_module_with_probes(workload: str) -> None:
    deployment = python_workloads()[workload]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == expected_command(workload)
    assert {"configMapRef": {"name": "walletscan-config"}} in container["envFrom"]
    env = {e["name"]: e for e in container.get("env", [])}
    assert env["OTEL_SERVICE_NAME"]["value"] == workload
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports["metrics"] == METRICS_PORT
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(METRICS_PORT)
    readiness = container["readinessProbe"]
    if workload in HTTP_SERVICES:
        assert readiness["httpGet"] == {"path": "/api/health", "port": "http"}
        assert ports["http"] == 8000
    else:
        assert readiness["httpGet"] == {"path": "/metrics", "port": "metrics"}
        assert container["livenessProbe"]["httpGet"] == {"path": "/metrics", "port": "metrics"}


def test_k8s_every_deployment_has_a_service() -> None:
    docs = manifests_under(K8S)
    services = by_kind(docs, "Service")
    for name, deployment in python_workloads().items():
        assert name in services, f"no Service for {name}"
        selector = services[name]["spec"]["selector"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), f"Service {name} does not select its pods"
        assert selector == deployment["spec"]["selector"]["matchLabels"]


def test_k8s_jwt_key_comes_from_the_secret() -> None:
    for name in ("gateway", "auth"):
        container = python_workloads()[name]["spec"]["template"]["spec"]["containers"][0]
        env = {e["name"]: e for e in container["env"]}
        ref = env["WALLETSCAN_JWT_PRIVATE_KEY"]["valueFrom"]["secretKeyRef"]
        assert ref["name"] == "walletscan-secrets"


def test_k8s_secret_is_a_marked_placeholder() -> None:
    path = K8S / "base" / "secret.yaml"
    text = path.read_text(encoding="utf-8")
    assert "must be replaced" in text
    secret = load_yaml(path)
    assert secret["kind"] == "Secret"
    assert secret["stringData"]["WALLETSCAN_JWT_PRIVATE_KEY"] == ""
    assert all(v == "" for v in secret["stringData"].values()), "placeholders stay empty"
    assert "BEGIN" not in text, "a real key must never be committed"


@pytest.mark.parametrize("provider", PROVIDERS)
def test_k8s_fetcher_keys_come_from_the_secret_placeholder(provider: str) -> None:
    placeholder = load_yaml(K8S / "base" / "secret.yaml")["stringData"]
    container = python_workloads()[f"fetcher-{provider}"]["spec"]["template"]["spec"]
    container = container["containers"][0]
    # Never the whole Secret: it holds the JWT key.
    for source in container["envFrom"]:
        assert source.get("secretRef", {}).get("name") != "walletscan-secrets"
    for entry in container.get("env", []):
        if SECRET_ENV.match(entry["name"]):
            ref = entry["valueFrom"]["secretKeyRef"]
            assert ref["name"] == "walletscan-secrets", entry["name"]
            assert ref["key"] == entry["name"]
            assert ref["key"] in placeholder, f"{ref['key']} is not in the placeholder"
            assert ref.get("optional") is True, f"{ref['key']}: an unset key must not stop a pod"
        else:
            assert "secretKeyRef" not in entry.get("valueFrom", {}), entry["name"]


def test_k8s_base_config_sets_the_common_environment() -> None:
    base = load_yaml(K8S / "base" / "kustomization.yaml")
    assert base["namespace"] == NAMESPACE
    generators = {g["name"]: g for g in base["configMapGenerator"]}
    literals = dict(item.split("=", 1) for item in generators["walletscan-config"]["literals"])
    assert literals.keys() >= COMMON_ENV
    assert literals["WALLETSCAN_NATS_URL"] == "nats://nats:4222"
    assert literals["WALLETSCAN_METRICS_PORT"] == str(METRICS_PORT)
    assert generators["nats-config"]["files"] == ["nats-server.conf"]
    namespaces = by_kind(manifests_under(K8S / "base"), "Namespace")
    assert list(namespaces) == [NAMESPACE]


def test_k8s_nats_and_mongo_are_statefulsets_with_storage() -> None:
    statefulsets = by_kind(manifests_under(K8S / "base"), "StatefulSet")
    assert set(statefulsets) == {"nats", "mongo"}
    nats = statefulsets["nats"]
    container = nats["spec"]["template"]["spec"]["containers"][0]
    assert container["image"].startswith("nats:2.12")
    assert {p["containerPort"] for p in container["ports"]} == {4222, 8222}
    assert "js-enabled-only" in container["readinessProbe"]["httpGet"]["path"]
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert mounts["/data"] == "data"
    for statefulset in statefulsets.values():
        claims = [c["metadata"]["name"] for c in statefulset["spec"]["volumeClaimTemplates"]]
        assert claims == ["data"]
    services = by_kind(manifests_under(K8S / "base"), "Service")
    assert {p["port"] for p in services["nats"]["spec"]["ports"]} == {4222, 8222}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_each_provider_is_a_component_with_deployment_and_scaledobject(provider: str) -> None:
    folder = K8S / "components" / f"fetcher-{provider}"
    component = load_yaml(folder / "kustomization.yaml")
    assert component["kind"] == "Component"
    docs = manifests_under(folder)
    name = f"fetcher-{provider}"
    deployment = by_kind(docs, "Deployment")[name]
    assert "replicas" not in deployment["spec"], "KEDA owns the fetcher's replica count"
    assert name in by_kind(docs, "Service")
    scaled = by_kind(docs, "ScaledObject")[name]
    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    assert scaled["spec"]["scaleTargetRef"]["name"] == name
    assert 1 <= scaled["spec"]["minReplicaCount"] <= scaled["spec"]["maxReplicaCount"]
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "nats-jetstream"
    meta = trigger["metadata"]
    assert meta["stream"] == FETCH_JOBS.name
    assert meta["consumer"] == fetch_consumer(provider)
    assert meta["natsServerMonitoringEndpoint"] == f"nats.{NAMESPACE}.svc.cluster.local:8222"
    assert int(meta["lagThreshold"]) > 0


def component_literals(provider: str) -> dict[str, str]:
    doc = load_yaml(K8S / "components" / f"fetcher-{provider}" / "kustomization.yaml")
    (config,) = [
        g for g in doc["configMapGenerator"] if g["name"] == f"walletscan-fetcher-{provider}"
    ]
    return dict(item.split("=", 1) for item in config["literals"])


def overlay_providers(overlay: str) -> list[str]:
    doc = load_yaml(K8S / "overlays" / overlay / "kustomization.yaml")
    prefix = "../../components/fetcher-"
    return sorted(c.removeprefix(prefix) for c in doc.get("components", []) if c.startswith(prefix))


def overlay_config(overlay: str) -> dict[str, str]:
    doc = load_yaml(K8S / "overlays" / overlay / "kustomization.yaml")
    (config,) = [g for g in doc["configMapGenerator"] if g["name"] == "walletscan-config"]
    return dict(item.split("=", 1) for item in config["literals"])


def assert_rate_fits_the_quota(provider: str, scaled: dict[str, Any], rate: str | None) -> None:
    """rate per replica x maxReplicaCount <= the quota the ScaledObject names."""
    quota = scaled["metadata"].get("annotations", {}).get(QUOTA_ANNOTATION)
    if quota is None:
        return
    assert rate is not None, f"{provider} has a quota but no per-provider rate limit"
    ceiling = scaled["spec"]["maxReplicaCount"]
    total = float(rate) * ceiling
    assert total <= float(quota) + 1e-9, (
        f"{provider}: {rate}/s x {ceiling} replicas = {total}/s exceeds its quota {quota}/s"
    )


@pytest.mark.parametrize("provider", PROVIDERS)
def test_each_keyed_or_quota_bound_provider_fits_its_quota(provider: str) -> None:
    scaled = by_kind(manifests_under(K8S / "components" / f"fetcher-{provider}"), "ScaledObject")
    rate = component_literals(provider).get(f"WALLETSCAN_{provider.upper()}_REQUESTS_PER_SECOND")
    if provider != "esplora":  # mempool.space documents no quota
        assert QUOTA_ANNOTATION in scaled[f"fetcher-{provider}"]["metadata"]["annotations"]
    assert_rate_fits_the_quota(provider, scaled[f"fetcher-{provider}"], rate)


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_overlays_turn_on_their_fetchers(overlay: str) -> None:
    doc = load_yaml(K8S / "overlays" / overlay / "kustomization.yaml")
    assert "../../base" in doc["resources"]
    assert doc["namespace"] == NAMESPACE
    enabled = overlay_providers(overlay)
    assert "esplora" in enabled
    assert set(enabled) <= set(PROVIDERS)
    # Commands are only passed on to the fetchers that run.
    running = provider_names.parse_order(overlay_config(overlay)["WALLETSCAN_FETCHER_PROVIDERS"])
    assert sorted(running) == enabled


def test_prod_overlay_turns_on_every_fetcher() -> None:
    assert overlay_providers("prod") == PROVIDERS


def test_dev_overlay_says_why_each_missing_fetcher_is_left_out() -> None:
    text = (K8S / "overlays" / "dev" / "kustomization.yaml").read_text(encoding="utf-8")
    comments = " ".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    for provider in sorted(set(PROVIDERS) - set(overlay_providers("dev"))):
        assert provider in comments, f"the dev overlay does not say why {provider} is left out"


def test_prod_overlay_spells_out_the_default_provider_orders() -> None:
    # Each fetcher sees only its own provider's URLs and keys, so the default order filtered by
    # what it sees would drop the others: production names the code's default orders in full.
    literals = overlay_config("prod")
    for network, order in provider_names.DEFAULT_ORDER.items():
        assert literals[f"WALLETSCAN_PROVIDERS_{network.name}"] == ",".join(order), network


def test_prod_overlay_runs_in_production_mode() -> None:
    doc = load_yaml(K8S / "overlays" / "prod" / "kustomization.yaml")
    (config,) = [g for g in doc["configMapGenerator"] if g["name"] == "walletscan-config"]
    literals = dict(item.split("=", 1) for item in config["literals"])
    assert literals["WALLETSCAN_ENVIRONMENT"] == "production"
    assert literals["WALLETSCAN_COOKIE_SECURE"] == "true"
    assert all(o.startswith("https://") for o in literals["WALLETSCAN_ALLOWED_ORIGINS"].split(","))


def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        pytest.skip("kubectl (kustomize) is not installed")
    return path


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_overlay_builds_with_kustomize(overlay: str) -> None:
    result = subprocess.run(
        [kubectl(), "kustomize", str(K8S / "overlays" / overlay)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    docs = [d for d in yaml.safe_load_all(result.stdout) if d]
    for doc in docs:
        meta = doc["metadata"]
        if doc["kind"] != "Namespace":
            assert meta.get("namespace") == NAMESPACE, f"{doc['kind']}/{meta['name']}"
        assert meta["labels"]["app.kubernetes.io/part-of"] == "walletscan"
    enabled = overlay_providers(overlay)
    fetchers = {f"fetcher-{p}" for p in enabled}
    deployments = {d["metadata"]["name"] for d in docs if d["kind"] == "Deployment"}
    assert deployments == {w for w in workload_names() if not w.startswith("fetcher-")} | fetchers
    scaled = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ScaledObject"}
    assert {d["spec"]["scaleTargetRef"]["name"] for d in scaled.values()} == fetchers
    for provider in enabled:
        (trigger,) = scaled[f"fetcher-{provider}"]["spec"]["triggers"]
        assert trigger["metadata"]["consumer"] == fetch_consumer(provider)
    # The rate each replica gets, from its generated ConfigMap, x the ceiling after patches.
    configs = [
        d
        for d in docs
        if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("walletscan-fetcher-")
    ]
    for provider in enabled:
        (config,) = [
            c
            for c in configs
            if c["metadata"]["name"].startswith(f"walletscan-fetcher-{provider}-")
        ]
        rate = config["data"].get(f"WALLETSCAN_{provider.upper()}_REQUESTS_PER_SECOND")
        assert_rate_fits_the_quota(provider, scaled[f"fetcher-{provider}"], rate)
    images = {
        c["image"]
        for d in docs
        if d["kind"] == "Deployment"
        for c in d["spec"]["template"]["spec"]["containers"]
    }
    assert len(images) == 1, f"one image for every service, found {images}"


# --------------------------------------------------------------------------------------------
# Tiltfile


def test_tiltfile_builds_the_image_and_forwards_the_ports() -> None:
    text = (ROOT / "Tiltfile").read_text(encoding="utf-8")
    tree = ast.parse(text)  # Starlark here is a subset of Python's syntax
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
    called = {c.func.id for c in calls if isinstance(c.func, ast.Name)}
    assert {"docker_build", "k8s_yaml", "kustomize", "k8s_resource"} <= called
    assert "docker_build(\n    'walletscan',\n    '.'," in text
    assert "k8s_yaml(kustomize('k8s/overlays/dev'))" in text
    assert "port_forwards=['8000:8000']" in text
    assert "port_forwards=['3000:3000']" in text
    named = {
        c.args[0].value
        for c in calls
        if isinstance(c.func, ast.Name)
        and c.func.id == "k8s_resource"
        and c.args
        and isinstance(c.args[0], ast.Constant)
    }
    loop_names = re.search(r"for name in \[(.*?)\]", text)
    assert loop_names
    named |= set(re.findall(r"'([^']+)'", loop_names.group(1)))
    fetcher_list = re.search(r"^FETCHERS = \[(.*?)\]", text, flags=re.MULTILINE)
    assert fetcher_list
    fetchers = set(re.findall(r"'([^']+)'", fetcher_list.group(1)))
    # Tilt runs the dev overlay: exactly its fetchers.
    assert fetchers == {f"fetcher-{p}" for p in overlay_providers("dev")}
    named |= fetchers
    others = {w for w in workload_names() if not w.startswith("fetcher-")}
    assert named >= others | fetchers | {"nats", "mongo", "frontend"}


# --------------------------------------------------------------------------------------------
# NATS


NATS_CONFIGS = [INFRA / "nats" / "nats-server.conf", K8S / "base" / "nats-server.conf"]


def test_nats_config_is_the_same_for_compose_and_k8s() -> None:
    compose_conf, k8s_conf = (p.read_text(encoding="utf-8") for p in NATS_CONFIGS)
    assert compose_conf == k8s_conf


def test_nats_config_enables_jetstream_on_file_storage() -> None:
    text = NATS_CONFIGS[0].read_text(encoding="utf-8")
    assert re.search(r"^jetstream\s*\{[^}]*store_dir:\s*/data", text, flags=re.MULTILINE)
    assert re.search(r"^http_port:\s*8222$", text, flags=re.MULTILINE)
    assert re.search(r"^port:\s*4222$", text, flags=re.MULTILINE)
    payload = re.search(r"^max_payload:\s*(\d+)$", text, flags=re.MULTILINE)
    assert payload
    assert int(payload.group(1)) >= FETCH_JOBS.max_msg_size


def test_nats_server_accepts_the_config() -> None:
    binary = shutil.which("nats-server") or str(Path(sys.executable).parent / "nats-server")
    if not Path(binary).exists():
        pytest.skip("nats-server is not installed")
    result = subprocess.run(
        [binary, "-t", "-c", str(NATS_CONFIGS[0])],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------------------------
# nginx


NGINX_CONF = INFRA / "nginx" / "nginx.conf"


def nginx_blocks(text: str) -> list[Any]:
    """Parse nginx.conf into nested [directive, args, children] lists."""
    text = re.sub(r"#[^\n]*", "", text)
    tokens = re.findall(r'"[^"]*"|\'[^\']*\'|[{};]|[^\s{};]+', text)
    stack: list[list[Any]] = [[]]
    current: list[str] = []
    for token in tokens:
        if token == "{":
            block: list[Any] = [current[0], current[1:], []]
            stack[-1].append(block)
            stack.append(block[2])
            current = []
        elif token == "}":
            stack.pop()
        elif token == ";":
            stack[-1].append([current[0], current[1:], None])
            current = []
        else:
            current.append(token.strip("\"'"))
    assert len(stack) == 1, "unbalanced braces"
    return stack[0]


def nginx_server() -> list[Any]:
    (http,) = [b for b in nginx_blocks(NGINX_CONF.read_text(encoding="utf-8")) if b[0] == "http"]
    (server,) = [b for b in http[2] if b[0] == "server"]
    return list(server[2])


def nginx_variables() -> dict[str, str]:
    return {args[0]: args[1] for name, args, _ in nginx_server() if name == "set"}


def nginx_location(path: str) -> list[Any]:
    """Directives of the location nginx picks for a request path (exact, regex, prefix)."""
    locations = [(args, body) for name, args, body in nginx_server() if name == "location"]
    for args, body in locations:
        if args[0] == "=" and args[1] == path:
            return list(body)
    for args, body in locations:
        if args[0] in {"~", "~*"} and re.search(args[1], path):
            return list(body)
    prefixes = [(args[-1], body) for args, body in locations if args[0] not in {"=", "~", "~*"}]
    best = max((p for p in prefixes if path.startswith(p[0])), key=lambda p: len(p[0]))
    return list(best[1])


def upstream_of(body: list[Any]) -> str:
    (target,) = [args[0] for name, args, _ in body if name == "proxy_pass"]
    return nginx_variables().get(target, target)


def proxied_headers(body: list[Any]) -> dict[str, str]:
    return {args[0]: args[1] for name, args, _ in body if name == "proxy_set_header"}


@pytest.mark.parametrize(
    "path", ["/api/health", "/api/scans", "/api/scans/0b9f/events", "/api/auth/login"]
)
def test_nginx_routes_api_to_the_gateway_with_websocket_upgrade(path: str) -> None:
    body = nginx_location(path)
    assert upstream_of(body) == "http://gateway:8000"
    assert ["1.1"] in [args for name, args, _ in body if name == "proxy_http_version"]
    headers = proxied_headers(body)
    assert headers["Upgrade"] == "$http_upgrade"
    assert headers["Connection"] == "$connection_upgrade"


def test_nginx_keeps_the_scan_websocket_open() -> None:
    body = nginx_location("/api/scans/0b9f/events")
    timeouts = {args[0] for name, args, _ in body if name == "proxy_read_timeout"}
    assert timeouts == {"1h"}


@pytest.mark.parametrize("path", ["/", "/scans/0b9f", "/login", "/_next/static/app.js"])
def test_nginx_routes_the_rest_to_the_frontend(path: str) -> None:
    assert upstream_of(nginx_location(path)) == "http://frontend:3000"


def test_nginx_sets_security_headers() -> None:
    headers = {args[0] for name, args, _ in nginx_server() if name == "add_header"}
    assert {
        "X-Content-Type-Options",
        "X-Frame-Options",
        "Referrer-Policy",
        "Content-Security-Policy",
        "Permissions-Policy",
    } <= headers
    for name, _, body in nginx_server():
        if name == "location":
            assert all(d[0] != "add_header" for d in body), "add_header in a location drops"


def test_nginx_upgrade_map_is_defined() -> None:
    (http,) = [b for b in nginx_blocks(NGINX_CONF.read_text(encoding="utf-8")) if b[0] == "http"]
    maps = [args for name, args, _ in http[2] if name == "map"]
    assert ["$http_upgrade", "$connection_upgrade"] in maps


def test_nginx_accepts_the_config() -> None:
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(binary).exists() or not Path("/etc/nginx/mime.types").exists():
        pytest.skip("nginx is not installed")
    result = subprocess.run(
        [binary, "-t", "-q", "-c", str(NGINX_CONF)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------------------------
# Grafana, Prometheus, OpenTelemetry collector


GRAFANA = INFRA / "grafana"


def test_grafana_datasources_and_dashboard_provider() -> None:
    datasources = load_yaml(GRAFANA / "provisioning" / "datasources" / "datasources.yaml")
    by_uid = {d["uid"]: d for d in datasources["datasources"]}
    assert by_uid["prometheus"]["url"] == "http://prometheus:9090"
    assert by_uid["prometheus"]["isDefault"] is True
    providers = load_yaml(GRAFANA / "provisioning" / "dashboards" / "dashboards.yaml")
    (provider,) = providers["providers"]
    mounts = compose_services()["grafana"]["volumes"]
    assert any(m.endswith(f":{provider['options']['path']}:ro") for m in mounts)


def test_grafana_dashboard_shows_throughput_latency_and_errors() -> None:
    dashboards = sorted((GRAFANA / "dashboards").glob("*.json"))
    assert dashboards
    for path in dashboards:
        dashboard = json.loads(path.read_text(encoding="utf-8"))
        panels = [p for p in dashboard["panels"] if p["type"] != "row"]
        assert panels
        for panel in panels:
            assert panel["datasource"]["uid"] == "prometheus"
            assert all(t["expr"] for t in panel["targets"])
        exprs = " ".join(t["expr"] for p in panels for t in p["targets"])
        assert "walletscan_scans_finished_total" in exprs
        assert "walletscan_provider_request_duration_seconds_bucket" in exprs
        assert "walletscan_provider_errors_total" in exprs


def test_otel_collector_pipelines_use_defined_components() -> None:
    config = load_yaml(INFRA / "otel-collector" / "otelcol-config.yaml")
    pipelines = config["service"]["pipelines"]
    assert "traces" in pipelines
    for pipeline in pipelines.values():
        for section in ("receivers", "processors", "exporters"):
            for component in pipeline.get(section, []):
                assert component in config[section], f"{component} is not defined"
    assert config["exporters"]["otlp/jaeger"]["endpoint"] == "jaeger:4317"
    # The services export with OTLP over HTTP (opentelemetry-exporter-otlp-proto-http).
    http = config["receivers"]["otlp"]["protocols"]["http"]["endpoint"]
    backend_env = env_of(compose_services()["gateway"])
    assert backend_env["OTEL_EXPORTER_OTLP_ENDPOINT"].endswith(":" + http.rsplit(":", 1)[1])
    assert backend_env["OTEL_EXPORTER_OTLP_PROTOCOL"] == "http/protobuf"
