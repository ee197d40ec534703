"""The adapter processes of one run: started, found in /proc, waited for, counted.

One process (``dimona-adapter run``, the plain baseline, or py-spy's child with ``--profile`` /
``--uvloop``), or several in one consumer group (``--scale-out``). Each started by the bench
gets a probes/metrics port of its own, so its share of the declarations can be read from its
``dimona_adapter_declarations_total``.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

from adapter.bench import procstat
from adapter.bench.profile import spawned_adapter
from adapter.edges.kafka.embedded import free_loopback_port
from adapter.processes import AdapterProcess
from adapter.settings import Settings

_DECLARATIONS = re.compile(r"^dimona_adapter_declarations_total\{[^}]*\}\s+([0-9.eE+]+)$")


class _Process(Protocol):
    @property
    def alive(self) -> bool: ...

    def output(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Adapter:
    name: str
    pid: int
    process: _Process
    metrics_url: str | None
    """None when py-spy spawned it (no port of its own)."""


class _Spawned:
    """Stands for AdapterProcess when the bench spawned the adapter itself."""

    def __init__(self, pid: int) -> None:
        self._pid = pid

    @property
    def alive(self) -> bool:
        return Path(f"/proc/{self._pid}").exists()

    def output(self) -> str:
        return "(spawned by the bench: no log captured)"


def names(count: int) -> list[str]:
    """``adapter`` alone, ``adapter-1``, ``adapter-2``, ... for several."""
    return ["adapter"] if count == 1 else [f"adapter-{i}" for i in range(1, count + 1)]


@contextlib.contextmanager
def started(
    settings: Settings,
    arguments: Sequence[str],
    *,
    count: int = 1,
    profile_to: Path | None = None,
    uvloop: bool = False,
) -> Iterator[list[Adapter]]:
    """Start ``count`` adapters (``python *arguments``) and yield them once each is idle."""
    if profile_to is not None or uvloop:
        if count != 1:
            msg = "--profile and --uvloop run one adapter process"
            raise ValueError(msg)
        with spawned_adapter(
            settings, arguments=arguments, profile_to=profile_to, uvloop=uvloop
        ) as pid:
            wait_until_idle(pid)
            yield [Adapter("adapter", pid, _Spawned(pid), None)]
        return
    marker = " ".join(arguments)
    with contextlib.ExitStack() as stack:
        adapters: list[Adapter] = []
        for name in names(count):
            port = free_loopback_port()
            known = {a.pid for a in adapters}
            process = stack.enter_context(
                AdapterProcess(settings, name=f"bench-{name}", http_port=port, arguments=arguments)
            )
            found = _find_new(marker, known)
            if found is None or not process.alive:
                msg = f"the adapter did not start: {process.output()[-2000:]}"
                raise RuntimeError(msg)
            adapters.append(Adapter(name, found, process, f"http://127.0.0.1:{port}/metrics"))
        for adapter in adapters:
            wait_until_idle(adapter.pid)
        yield adapters


def _find_new(marker: str, known: set[int]) -> int | None:
    for _ in range(100):
        fresh = [p for p in procstat.find_descendants(marker) if p not in known]
        if fresh:
            return fresh[0]
        time.sleep(0.05)
    return None


def wait_until_idle(pid: int, limit_s: float = 30.0) -> None:
    """Until the adapter has imported everything and sits polling (CPU < 5 % for 0.5 s)."""
    deadline = time.monotonic() + limit_s
    time.sleep(1.0)
    previous = procstat.sample(pid).cpu_s
    while time.monotonic() < deadline:
        time.sleep(0.5)
        current = procstat.sample(pid).cpu_s
        if current - previous < 0.025:
            return
        previous = current


def wait_for_group(config: dict[str, Any], group: str, members: int, limit_s: float) -> bool:
    """Until ``group`` is stable with ``members`` members, each with partitions assigned
    (so no rebalance lands in the measured part). False if the broker cannot tell (the
    embedded Tansu lists no members) or the group does not settle within ``limit_s``."""
    from confluent_kafka import ConsumerGroupState
    from confluent_kafka.admin import AdminClient

    admin = AdminClient(config)
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            described = admin.describe_consumer_groups([group], request_timeout=5)[group]
            found = described.result(timeout=10)
        except Exception:  # noqa: BLE001 - a broker without DescribeGroups: the caller waits
            return False
        stable = found.state == ConsumerGroupState.STABLE
        if stable and not found.members:  # Tansu 0.6: STABLE, no member list: it cannot tell
            return False
        assigned = [m for m in found.members if m.assignment and m.assignment.topic_partitions]
        if stable and len(assigned) == members:
            return True
        time.sleep(0.5)
    return False


def declarations(adapter: Adapter) -> float | None:
    """Final declarations this process reported (its metrics), None without a metrics port."""
    if adapter.metrics_url is None:
        return None
    try:
        text = httpx.get(adapter.metrics_url, timeout=10).text
    except httpx.HTTPError:
        return None
    return parse_declarations(text)


def parse_declarations(text: str) -> float:
    """The sum of ``dimona_adapter_declarations_total`` over its labels (kind, result)."""
    total = 0.0
    for line in text.splitlines():
        found = _DECLARATIONS.match(line.strip())
        if found is not None:
            total += float(found[1])
    return total
