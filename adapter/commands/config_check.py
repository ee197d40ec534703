"""``dimona-adapter config check``: show the effective configuration and verify it works.

Prints every setting (secrets masked) and then checks, in order: the broker answers, the
three topics exist, the ONSS key and certificate are readable and belong together, ONSS
gives a token, the store answers and is migrated. Nothing is changed anywhere: no topic is
created, no migration is run, no declaration is sent.

Exit codes: 0 every check passed; 1 a check failed; 3 the configuration itself is invalid.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from adapter.logging import MASK
from adapter.settings import ENV_PREFIX, Settings

PASSED, FAILED, CONFIG_INVALID = 0, 1, 3
CHECKS = ("kafka", "keys", "onss", "store")


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    skipped: bool = False


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    config = subparsers.add_parser("config", help="show and verify the configuration")
    actions = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check",
        help="print the effective configuration (secrets masked) and verify broker, topics, "
        "keys, ONSS token and store",
        description="Exit 0 all checks passed, 1 a check failed, 3 invalid configuration.",
    )
    check.add_argument(
        "--skip", action="append", choices=CHECKS, default=[], help="skip a check (repeatable)"
    )
    check.add_argument("--timeout", type=float, default=10.0, help="seconds per network check")
    check.add_argument("--json", action="store_true", help="machine-readable output")
    check.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        settings = Settings()
    except ValidationError as exc:
        print(
            f"dimona-adapter: invalid configuration ({exc.error_count()} errors):", file=sys.stderr
        )
        for error in exc.errors():
            where = ENV_PREFIX + "__".join(str(p) for p in error["loc"]).upper()
            print(f"  {where}: {error['msg']}", file=sys.stderr)
        return CONFIG_INVALID
    checks = list(run_checks(settings, skip=frozenset(args.skip), timeout_s=args.timeout))
    unknown = unknown_variables(os.environ, settings)
    if args.json:
        print(json.dumps(report_json(settings, checks, unknown), indent=2))
    else:
        print_report(settings, checks, unknown)
    return PASSED if all(c.ok for c in checks) else FAILED


def load_settings() -> Settings:
    """Settings from the environment; an invalid value is a ``FatalConfiguration`` naming
    the variable (the CLI turns it into exit 3)."""
    from adapter.core.errors import FatalConfiguration

    try:
        return Settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"{ENV_PREFIX}{'__'.join(str(p) for p in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        )
        raise FatalConfiguration(problems) from None


# -- the report ----------------------------------------------------------------------------
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/?#@\s]*?:)[^/?#\s]*@")
_QUERY_PASSWORD = re.compile(r"(?P<head>[?&](?:password|sslpassword)=)[^&#\s]*", re.IGNORECASE)


def mask_url_credentials(text: str) -> str:
    """``scheme://user:secret@host`` -> ``scheme://user:***@host`` (and ``?password=...``)."""
    masked = _URL_PASSWORD.sub(lambda m: f"{m['head']}{MASK}@", text)
    return _QUERY_PASSWORD.sub(lambda m: f"{m['head']}{MASK}", masked)


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_url_credentials(value)
    if isinstance(value, Mapping):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    return value


def effective_configuration(settings: Settings) -> dict[str, Any]:
    """Every setting as JSON; ``SecretStr`` values come out as ``**********`` and passwords
    written into URLs (a store or registry URL with credentials) as ``***``."""
    dumped: dict[str, Any] = _masked(settings.model_dump(mode="json"))
    return dumped


def flatten(value: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, item in value.items():
        if isinstance(item, Mapping):
            yield from flatten(item, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", item


def unknown_variables(environ: Mapping[str, str], settings: Settings) -> list[str]:
    """``DIMONA_ADAPTER_*`` variables that set nothing (typos are otherwise silent)."""
    known = {
        ENV_PREFIX + path.replace(".", "__").upper()
        for path, _ in flatten(effective_configuration(settings))
    }
    groups = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    unknown = []
    for name in environ:
        if not name.startswith(ENV_PREFIX) or name in known or name in groups:
            continue
        # a whole list or sub-object given as JSON (e.g. ..._POLLING__TIERS) is fine
        if any(k.startswith(name + "__") or name.startswith(k + "__") for k in known):
            continue
        unknown.append(name)
    return sorted(unknown)


def report_json(settings: Settings, checks: list[Check], unknown: list[str]) -> dict[str, Any]:
    return {
        "configuration": effective_configuration(settings),
        "unknownVariables": unknown,
        "checks": [
            {
                "name": c.name,
                "ok": c.ok,
                "skipped": c.skipped,
                "detail": mask_url_credentials(c.detail),
            }
            for c in checks
        ],
        "ok": all(c.ok for c in checks),
    }


def print_report(settings: Settings, checks: list[Check], unknown: list[str]) -> None:
    print("Effective configuration (environment prefix DIMONA_ADAPTER_, secrets masked):")
    for path, value in flatten(effective_configuration(settings)):
        print(f"  {path} = {json.dumps(value)}")
    for name in unknown:
        print(f"  warning: {name} matches no setting (typo?) and is ignored")
    print("\nChecks:")
    for check in checks:
        mark = "skip" if check.skipped else ("ok" if check.ok else "FAIL")
        print(f"  [{mark:>4}] {check.name}: {mask_url_credentials(check.detail)}")
    failed = [c.name for c in checks if not c.ok]
    print("\n" + ("all checks passed" if not failed else f"failed: {', '.join(failed)}"))


# -- the checks ----------------------------------------------------------------------------
def run_checks(settings: Settings, *, skip: frozenset[str], timeout_s: float) -> Iterator[Check]:
    steps: list[tuple[str, Callable[[], list[Check]]]] = [
        ("kafka", lambda: check_kafka(settings, timeout_s)),
        ("keys", lambda: [check_keys(settings)]),
        ("onss", lambda: [check_token(settings, timeout_s)]),
        ("store", lambda: [check_store(settings)]),
    ]
    for name, step in steps:
        if name in skip:
            yield Check(name, ok=True, detail="skipped (--skip)", skipped=True)
            continue
        yield from step()


def check_kafka(settings: Settings, timeout_s: float) -> list[Check]:
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient

    kafka = settings.kafka
    admin = AdminClient(kafka.client_config())
    try:
        metadata = admin.list_topics(timeout=timeout_s)
    except KafkaException as exc:
        return [Check("kafka broker", False, f"{kafka.bootstrap_servers} unreachable: {exc}")]
    brokers = len(metadata.brokers)
    checks = [Check("kafka broker", True, f"{kafka.bootstrap_servers} answers ({brokers} brokers)")]
    for role, topic in (
        ("input topic", kafka.input_topic),
        ("status topic", kafka.status_topic),
        ("dead-letter topic", kafka.dead_letter_topic),
    ):
        found = metadata.topics.get(topic)
        if found is None or found.error is not None:
            hint = "" if not kafka.create_topics else " (will be created at start-up)"
            checks.append(Check(role, kafka.create_topics, f"{topic} missing{hint}"))
        else:
            checks.append(Check(role, True, f"{topic} ({len(found.partitions)} partitions)"))
    return checks


def check_keys(settings: Settings) -> Check:
    from adapter.core.errors import FatalConfiguration
    from adapter.edges.dimona_rest.keys import load_signing_material

    try:
        material = load_signing_material(settings.dimona)
    except (FatalConfiguration, OSError) as exc:
        return Check("onss key pair", False, str(exc))
    certificate = material.certificate
    if certificate is None:
        return Check("onss key pair", True, "private key readable (no certificate to compare)")
    subject = certificate.subject.rfc4514_string()
    until = certificate.not_valid_after_utc.date().isoformat()
    return Check("onss key pair", True, f"key and certificate match ({subject}, until {until})")


def check_token(settings: Settings, timeout_s: float) -> Check:
    from adapter.core.errors import AdapterError
    from adapter.edges.dimona_rest.token import TokenProvider

    async def obtain() -> None:
        tokens = TokenProvider.from_config(settings.dimona)
        try:
            await asyncio.wait_for(tokens.token(), timeout_s)
        finally:
            await tokens.aclose()

    try:
        asyncio.run(obtain())
    except (AdapterError, TimeoutError, OSError) as exc:
        detail = str(exc) or type(exc).__name__
        return Check("onss token", False, f"{settings.dimona.token_url}: {detail}")
    scopes = " ".join(settings.dimona.scopes)
    return Check("onss token", True, f"obtained from {settings.dimona.token_url} ({scopes})")


def check_store(settings: Settings) -> Check:
    from adapter.core.errors import FatalConfiguration
    from adapter.edges.store.factory import open_store
    from adapter.edges.store.migrations import MIGRATIONS

    url = settings.store.url
    shown = url.split("@")[-1] if "@" in url else url
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        path = Path(url.removeprefix("sqlite:///"))
        if not path.exists():
            return Check(
                "store", False, f"{path} does not exist (run the adapter once to create it)"
            )
    password = settings.store.password.get_secret_value() if settings.store.password else None
    try:
        store = open_store(url, password=password)
    except FatalConfiguration as exc:
        return Check("store", False, str(exc))
    except Exception as exc:  # noqa: BLE001 - driver errors differ per engine; all mean "down"
        return Check("store", False, f"{shown} unreachable: {type(exc).__name__}: {exc}")
    try:
        try:
            version = store.schema_version()
        except Exception:  # noqa: BLE001 - no schema_migrations table at all
            version = 0
    finally:
        store.close()
    latest = max(v for v, _ in MIGRATIONS)
    if version < latest:
        return Check("store", False, f"{shown} reachable but at schema {version}, needs {latest}")
    return Check("store", True, f"{shown} reachable, schema version {version}")
