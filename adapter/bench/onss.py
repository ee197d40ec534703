"""ONSS-side counters: the sandbox's request metrics, and their difference over a run."""

from __future__ import annotations

import re

import httpx

_LINE = re.compile(r"^sandbox_http_requests_total\{(?P<labels>[^}]*)\}\s+(?P<value>[0-9.eE+]+)$")
_LABEL = re.compile(r'(\w+)="([^"]*)"')

Counts = dict[str, float]
"""``"endpoint status"`` -> requests"""


def parse_requests(text: str) -> Counts:
    counts: Counts = {}
    for line in text.splitlines():
        found = _LINE.match(line.strip())
        if found is None:
            continue
        labels = dict(_LABEL.findall(found["labels"]))
        key = f"{labels.get('endpoint', '?')} {labels.get('status', '?')}"
        counts[key] = counts.get(key, 0.0) + float(found["value"])
    return counts


def fetch_requests(metrics_url: str) -> Counts:
    return parse_requests(httpx.get(metrics_url, timeout=10).text)


def difference(after: Counts, before: Counts) -> Counts:
    keys = sorted(set(after) | set(before))
    return {
        k: after.get(k, 0.0) - before.get(k, 0.0)
        for k in keys
        if after.get(k, 0) != before.get(k, 0)
    }


def api_requests(counts: Counts) -> float:
    """Requests to the Dimona API (not the token endpoint, the metrics or the admin API)."""
    return sum(v for k, v in counts.items() if not k.startswith(("token ", "metrics ", "admin")))
