"""Run the adapter under py-spy (sampling, no code change) and summarise the stacks.

``py-spy record --pid`` cannot attach on this machine ("Failed to find python version"), so
the profiled adapter is spawned by py-spy itself: ``py-spy record -- python -m adapter run``.
The same spawner runs the adapter on uvloop's event loop (``--uvloop``, an experiment: the
``run`` command itself uses asyncio's default loop).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from adapter.bench import procstat
from adapter.demo_harness import settings_env
from adapter.settings import Settings

UVLOOP = (
    "import asyncio, runpy, sys, uvloop; asyncio.set_event_loop_policy(uvloop.EventLoopPolicy()); "
    "sys.argv = sys.argv[2:]; runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)"
)
"""``python -c UVLOOP "-m module args" module args``: the module as ``-m`` runs it, on uvloop
(the first argument only marks the command line, for ``find_descendant``)."""


@contextmanager
def spawned_adapter(
    settings: Settings,
    *,
    arguments: Sequence[str],
    profile_to: Path | None,
    uvloop: bool,
    rate: int = 67,
) -> Iterator[int]:
    """Yield the pid of the adapter (``python *arguments``, ``-m module ...``), sampled by
    py-spy into ``profile_to`` (raw) if given."""
    marker = " ".join(arguments)
    python = (
        [sys.executable, "-c", UVLOOP, marker, *arguments[1:]]
        if uvloop
        else [sys.executable, *arguments]
    )
    command = python
    if profile_to is not None:
        binary = shutil.which("py-spy")
        if binary is None:
            msg = "py-spy not found: uv sync --all-groups"
            raise RuntimeError(msg)
        # --gil: only the thread holding the GIL, i.e. where the adapter's Python CPU goes
        command = [binary, "record", "--rate", str(rate), "--format", "raw", "--nonblocking",
                   "--gil", "--output", str(profile_to), "--", *python]  # fmt: skip
    env = {**os.environ, **settings_env(settings), "DIMONA_ADAPTER_LOG_FORMAT": "json",
           "DIMONA_ADAPTER_HTTP__PORT": "0"}  # fmt: skip
    spy = subprocess.Popen(  # noqa: S603 - fixed argv
        command, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    pid: int | None = None
    try:
        for _ in range(200):
            pid = spy.pid if profile_to is None else procstat.find_descendant(marker, root=spy.pid)
            if pid is not None:
                break
            time.sleep(0.05)
        if pid is None:
            msg = "py-spy did not start the adapter"
            raise RuntimeError(msg)
        yield pid
        os.kill(pid, signal.SIGTERM)  # the adapter drains and exits; py-spy then writes
        spy.wait(timeout=60)
        pid = None
    finally:
        _end(pid)
        if spy.poll() is None:
            spy.kill()
            spy.wait(timeout=10)
        _end(pid)


def _end(pid: int | None) -> None:
    """Never leave the adapter behind (Ctrl-C, a failed run): SIGTERM, then SIGKILL."""
    if pid is None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not Path(f"/proc/{pid}").exists():
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        for _ in range(100):
            if not Path(f"/proc/{pid}").exists() or _zombie(pid):
                return
            time.sleep(0.1)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _frame(frame: str) -> str:
    """``function (path/module.py:line)`` -> ``function (module.py)``."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.split(':')[0].rsplit('/', 1)[-1]})" if where else name


def summarise(raw: Path, *, top: int = 30) -> dict[str, list[tuple[str, float]]]:
    """Share of busy samples by leaf function (self) and by any frame on the stack."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame(f) for f in stack.split(";")]
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    if total == 0:
        return {"self": [], "inclusive": []}
    return {
        "self": [(f, round(100 * c / total, 1)) for f, c in own.most_common(top)],
        "inclusive": [(f, round(100 * c / total, 1)) for f, c in inclusive.most_common(top)],
    }


# Where a stack belongs, by the modules on it (py-spy writes ``function (path/module.py:line)``
# with paths relative to sys.path, so ``adapter/...`` and library packages such as ``httpx/``
# match wherever the code is installed). Module paths, not function names: a function that is
# renamed or moved within its module stays in its category, and a new module of a package
# (a lean aiohttp path in ``dimona_rest/``, a group commit in ``store/``) joins its package.
# The first rule with a marker anywhere on the stack wins, so order matters: the store before
# the parts that call it, the ONSS client and the status events before the driver, the core
# before the driver, the event loop last.
CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("start-up (imports)", ("importlib._bootstrap", "importlib/")),
    ("store (SQLite / PostgreSQL)", ("adapter/edges/store/", "sqlite3/", "psycopg/")),
    ("status events (build + Avro encode)", ("adapter/app/status_events.py",)),
    (
        "ONSS HTTP client (dimona_rest, httpx, aiohttp)",
        (
            "adapter/edges/dimona_rest/",
            "adapter/edges/dimona_soap/",
            "httpx/",
            "httpcore/",
            "httpx_aiohttp/",
            "aiohttp/",
            "yarl/",
            "multidict/",
            "h11/",
            "anyio/",
        ),
    ),
    ("intake (decode + validate)", ("adapter/app/intake.py", "adapter/edges/avro/")),
    ("outbox relay + producer", ("adapter/app/relay.py", "adapter/edges/kafka/producer.py")),
    ("consumer", ("adapter/edges/kafka/consumer.py", "confluent_kafka/")),
    ("translation + state machine (core)", ("adapter/core/",)),
    ("logging (canonical log lines)", ("adapter/logging.py", "structlog/")),
    ("driver (parse, records)", ("adapter/app/driver.py", "adapter/app/declaration_loop.py")),
    ("runner + executor", ("adapter/app/runner.py", "adapter/app/executor.py")),
    ("metrics + probes", ("adapter/edges/http/", "adapter/app/metrics.py", "prometheus_client/")),
    ("event loop", ("asyncio/", "uvloop/", "selectors.py")),
)


def category(stack: str) -> str:
    """The category of one collapsed stack (``frame;frame;...``), ``other`` if none."""
    return next((n for n, marks in CATEGORIES if any(m in stack for m in marks)), "other")


def breakdown(raw: Path) -> list[tuple[str, float]]:
    """Share of the samples per category, start-up excluded."""
    counts: Counter[str] = Counter()
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        counts[category(stack)] += int(count_text)
    counts.pop("start-up (imports)", None)
    total = sum(counts.values()) or 1
    return [(name, round(100 * c / total, 1)) for name, c in counts.most_common()]
