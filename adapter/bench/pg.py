"""A fresh PostgreSQL database for one run (``--scale-out``), dropped afterwards.

A database of its own, not only a schema: the server's backends show their database in their
process title, so the CPU of the run's own backends can be told from other clients' (see
``procstat.postgres_cpu_s``).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

SERVER = "postgresql://postgres@127.0.0.1:5432/test"
"""Trust authentication on the loopback, as the integration tests use it."""


def with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


@contextlib.contextmanager
def fresh_database(server: str = SERVER) -> Iterator[tuple[str, str]]:
    """Yield (URL, name) of a new database on ``server``'s cluster; dropped on the way out."""
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(server, name), name
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
