"""The Helm chart, linted and rendered by Helm's own engine (helm-python-sdk, no helm binary).

Checks what an operator relies on: every DIMONA_ADAPTER_* variable the chart sets is a Settings
field (and every Settings field is reachable from the chart, or listed below with the reason
it is not), the rendered environment is a valid configuration, probes hit the paths the ops
server serves, the pod runs as non-root, the drain fits in the grace period, and scaling never
exceeds the partitions.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from adapter.edges.http.server import PATHS
from adapter.settings import ENV_PREFIX, Settings
from tests.ops.fields import settings_fields

helm = pytest.importorskip("helm_python")

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "helm" / "dimona-adapter"
ALL_ON: dict[str, Any] = {
    "keda": {"enabled": True, "authenticationRef": "kafka-auth"},
    "metrics": {"serviceMonitor": {"enabled": True}},
    "config": {
        "kafka": {"saslMechanism": "SCRAM-SHA-512", "saslUsername": "adapter"},
        "encoding": {"schemaRegistryUrl": "http://registry:8081"},
        "soap": {"endpoint": "https://services.socialsecurity.be/SOAP/dimona"},
        "dimona": {"rateLimitPerSecond": 20, "clientId": "self_service_chaman_1"},
    },
    "secrets": {"kafkaSaslPassword": {"name": "kafka-sasl"}},
}

# Settings fields the chart does not set, and why (they stay settable through `extraEnv`).
NOT_IN_CHART = {
    "kafka.create_topics": "the platform team creates topics, not the adapter",
    "dimona.pkcs12_path": "the chart mounts PEM files; PKCS#12 is an alternative for other hosts",
    "dimona.pkcs12_password": "idem",
    "dimona.private_key_pem": "the key is mounted as a file from a Secret, not passed inline",
    "dimona.write_timeout_s": "tuning: extraEnv",
    "dimona.pool_timeout_s": "tuning: extraEnv",
    "dimona.max_per_client": "tuning of the httpx-pool transport: extraEnv",
    "dimona.rate_limit_burst": "tuning: extraEnv",
    "dimona.scopes": "fixed by ONSS",
    "dimona.assertion_lifetime_s": "tuning: extraEnv",
    "dimona.token_refresh_margin_s": "tuning: extraEnv",
    "dimona.search_page_size": "tuning: extraEnv",
    "dimona.user_agent": "tuning: extraEnv",
    "polling": "the published ONSS polling tiers; extraEnv (JSON) if ONSS asks",
    "pipeline.reconcile_interval_s": "tuning: extraEnv",
    "http.host": "0.0.0.0 in a pod; the probes come from the kubelet",
    "encoding.accept_legacy_fingerprint": "migration switch of one release: extraEnv",
    "encoding.schema_registry_timeout_s": "tuning: extraEnv",
    "http.idle_timeout_s": "tuning: extraEnv",
    "http.max_connections": "tuning: extraEnv",
    "http.readiness_cache_s": "tuning: extraEnv",
    "pipeline.retry_backoff_cap_s": "tuning: extraEnv",
    "pipeline.retry_after_cap_s": "tuning: extraEnv",
    "pipeline.onss_circuit_threshold": "tuning: extraEnv",
    "pipeline.onss_circuit_cap_s": "tuning: extraEnv",
    "pipeline.rescan_interval_s": "tuning: extraEnv",
    "pipeline.relay_batches_in_flight": "tuning: extraEnv",
    "pipeline.gc_freeze": "tuning: extraEnv",
}


def field_of(env_name: str) -> str:
    assert env_name.startswith(ENV_PREFIX), env_name
    return env_name.removeprefix(ENV_PREFIX).lower().replace("__", ".")


def render(values: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Rendered manifests by kind (one object of each kind in this chart)."""
    with helm.Chart.load(str(CHART)) as chart:
        files = chart.render(values or {}, name="prod", namespace="hr")
    manifests: dict[str, dict[str, Any]] = {}
    for path, text in files.items():
        if not text.strip() or path.endswith("NOTES.txt"):
            continue
        document = helm.values_from_yaml(text)
        if document:
            manifests[document["kind"]] = document
    return manifests


def container(manifests: dict[str, dict[str, Any]]) -> dict[str, Any]:
    [adapter] = manifests["Deployment"]["spec"]["template"]["spec"]["containers"]
    return adapter


def chart_env(manifests: dict[str, dict[str, Any]]) -> dict[str, str | None]:
    """Every variable the pod gets: the ConfigMap's values, then the secret references (None)."""
    env: dict[str, str | None] = dict(manifests["ConfigMap"]["data"])
    for item in container(manifests).get("env", []):
        env[item["name"]] = item.get("value")
    return env


@pytest.mark.parametrize("values", [{}, ALL_ON], ids=["defaults", "everything-on"])
def test_helm_lint_finds_no_error(values: dict[str, Any]) -> None:
    report = helm.chart.lint(str(CHART), values, strict=False)
    errors = [m for m in report["messages"] if m["severity"] >= 3]
    assert report["errors"] == []
    assert errors == []


def test_every_variable_maps_to_a_settings_field_and_back() -> None:
    env = chart_env(render(ALL_ON))
    fields = set(settings_fields())
    for name in env:
        assert field_of(name) in fields, f"{name} is not a Settings field"
    covered = {field_of(name) for name in env}
    for field in fields - covered:
        assert field in NOT_IN_CHART or field.split(".")[0] in NOT_IN_CHART, (
            f"Settings.{field} cannot be set from the chart; expose it or say why not"
        )
    for reason_for in NOT_IN_CHART:
        assert reason_for not in covered, f"{reason_for} is in the chart now: drop the exemption"


def test_the_rendered_environment_is_a_valid_configuration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = chart_env(render(ALL_ON))
    for name, value in env.items():
        monkeypatch.setenv(name, "from-a-secret" if value is None else value)
    settings = Settings()
    assert settings.kafka.bootstrap_servers == "kafka:9092"
    assert settings.kafka.sasl_password is not None
    assert settings.dimona.rate_limit_per_s == 20
    assert str(settings.dimona.private_key_path) == "/var/run/onss/client.key.pem"
    assert settings.drain_budget_s == 20
    assert settings.log_format == "json"


def test_probes_hit_the_paths_the_server_serves() -> None:
    manifests = render()
    adapter = container(manifests)
    port_names = {p["name"]: p["containerPort"] for p in adapter["ports"]}
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        get = adapter[probe]["httpGet"]
        assert get["path"] in PATHS
        assert get["port"] in port_names
    assert adapter["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert adapter["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert str(port_names["http"]) == manifests["ConfigMap"]["data"]["DIMONA_ADAPTER_HTTP__PORT"]


def test_the_pod_runs_as_non_root_with_a_read_only_root() -> None:
    manifests = render()
    pod = manifests["Deployment"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    security = container(manifests)["securityContext"]
    assert security["allowPrivilegeEscalation"] is False
    assert security["readOnlyRootFilesystem"] is True
    assert security["capabilities"]["drop"] == ["ALL"]
    assert container(manifests)["resources"]["limits"]["memory"]


def test_grace_period_outlasts_the_drain_budget() -> None:
    manifests = render()
    grace = manifests["Deployment"]["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert grace > float(manifests["ConfigMap"]["data"]["DIMONA_ADAPTER_DRAIN_BUDGET_S"])
    with pytest.raises(helm.HelmRenderError, match="drainBudgetSeconds"):
        render({"terminationGracePeriodSeconds": 20})


def test_never_more_replicas_than_partitions() -> None:
    manifests = render(ALL_ON)
    scaled = manifests["ScaledObject"]["spec"]
    assert scaled["maxReplicaCount"] == 12
    assert scaled["triggers"][0]["metadata"]["topic"] == "hr.employment.events"
    assert "replicas" not in manifests["Deployment"]["spec"]  # KEDA owns the count
    assert (
        render({**ALL_ON, "keda": {"enabled": True, "maxReplicas": 4}})["ScaledObject"]["spec"][
            "maxReplicaCount"
        ]
        == 4
    )
    with pytest.raises(helm.HelmRenderError, match="partitions"):
        render({"replicaCount": 13})
    with pytest.raises(helm.HelmRenderError, match="partitions"):
        render({"keda": {"enabled": True, "maxReplicas": 13}})


def test_secrets_are_referenced_never_created() -> None:
    manifests = render(ALL_ON)
    assert "Secret" not in manifests
    env = {e["name"]: e for e in container(manifests)["env"]}
    assert env["DIMONA_ADAPTER_STORE__PASSWORD"]["valueFrom"]["secretKeyRef"]["name"]
    assert env["DIMONA_ADAPTER_KAFKA__SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"]
    volumes = manifests["Deployment"]["spec"]["template"]["spec"]["volumes"]
    assert any(v.get("secret", {}).get("secretName") == "dimona-adapter-onss" for v in volumes)


def test_pdb_service_and_monitor_select_the_pods() -> None:
    manifests = render(ALL_ON)
    pod_labels = manifests["Deployment"]["spec"]["template"]["metadata"]["labels"]
    for kind, selector in (
        (
            "PodDisruptionBudget",
            manifests["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"],
        ),
        ("Service", manifests["Service"]["spec"]["selector"]),
    ):
        assert selector.items() <= pod_labels.items(), kind
    endpoint = manifests["ServiceMonitor"]["spec"]["endpoints"][0]
    assert endpoint["path"] == "/metrics"
    assert endpoint["port"] == manifests["Service"]["spec"]["ports"][0]["name"]


def test_dockerfile_is_non_root_with_a_health_check() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.MULTILINE)
    assert users
    assert users[-1].split(":")[0] not in ("root", "0")
    assert "uv.lock" in text
    assert "--frozen" in text
    assert re.search(r"^HEALTHCHECK .*", text, flags=re.MULTILINE)
    assert "/livez" in text
    assert text.count("FROM ") >= 2
