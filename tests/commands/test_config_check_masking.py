"""``config check`` never prints a password written into a URL, in text or in ``--json``."""

from __future__ import annotations

import json

import pytest

from adapter.cli import main
from adapter.commands.config_check import mask_url_credentials

SKIP_ALL = [f"--skip={name}" for name in ("kafka", "keys", "onss", "store")]
STORE_URL = "postgresql://dimona:s3cr3t-pg@db.internal:5432/dimona"
REGISTRY_URL = "https://registry-user:s3cr3t-reg@registry.internal:8081"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (STORE_URL, "postgresql://dimona:***@db.internal:5432/dimona"),
        (REGISTRY_URL, "https://registry-user:***@registry.internal:8081"),
        # an unescaped @ in the password: everything up to the host is hidden
        ("postgresql://u:p@ss@db/x", "postgresql://u:***@db/x"),
        (
            "postgresql://db/x?user=u&password=pw&sslmode=require",
            "postgresql://db/x?user=u&password=***&sslmode=require",
        ),
        ("http://a:1@r1:8081,http://b:2@r2:8081", "http://a:***@r1:8081,http://b:***@r2:8081"),
        # nothing secret: unchanged
        ("postgresql://dimona@postgres:5432/dimona", "postgresql://dimona@postgres:5432/dimona"),
        ("http://registry:8081/path", "http://registry:8081/path"),
        ("kafka-0:9092,kafka-1:9092", "kafka-0:9092,kafka-1:9092"),
    ],
)
def test_passwords_in_urls_are_masked_and_users_kept(url: str, shown: str) -> None:
    assert mask_url_credentials(url) == shown


@pytest.fixture
def credentials_in_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIMONA_ADAPTER_STORE__URL", STORE_URL)
    monkeypatch.setenv("DIMONA_ADAPTER_ENCODING__SCHEMA_REGISTRY_URL", REGISTRY_URL)


@pytest.mark.usefixtures("credentials_in_urls")
def test_text_report_masks_url_passwords(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", *SKIP_ALL]) == 0
    out = capsys.readouterr().out
    assert "s3cr3t" not in out
    assert 'store.url = "postgresql://dimona:***@db.internal:5432/dimona"' in out
    assert (
        'encoding.schema_registry_url = "https://registry-user:***@registry.internal:8081"' in out
    )


@pytest.mark.usefixtures("credentials_in_urls")
def test_json_report_masks_url_passwords(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", "--json", *SKIP_ALL]) == 0
    out = capsys.readouterr().out
    assert "s3cr3t" not in out
    configuration = json.loads(out)["configuration"]
    assert configuration["store"]["url"] == "postgresql://dimona:***@db.internal:5432/dimona"
    assert configuration["encoding"]["schema_registry_url"] == (
        "https://registry-user:***@registry.internal:8081"
    )
