"""Where the sandbox keeps its state: in memory, optionally mirrored to SQLite.

Reads always come from memory. With SQLite every change is marked dirty and written in one
transaction by :meth:`Store.flush` (the service flushes after each accepted POST, so a 201 is
never forgotten, and after each processing batch).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from adapter.sandbox.models import Client, Declaration, Period

_SCHEMA = """
CREATE TABLE IF NOT EXISTS declarations (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS periods (id INTEGER PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clients (client_id TEXT PRIMARY KEY, body TEXT NOT NULL);
"""


class Store:
    """In-memory records; subclasses persist them."""

    def __init__(self) -> None:
        self.declarations: dict[int, Declaration] = {}
        self.periods: dict[int, Period] = {}
        self.clients: dict[str, Client] = {}

    @property
    def description(self) -> str:
        return "memory"

    @property
    def persistent(self) -> bool:
        return False

    def put_declaration(self, declaration: Declaration) -> None:
        self.declarations[declaration.id] = declaration

    def put_period(self, period: Period) -> None:
        self.periods[period.id] = period

    def put_client(self, client: Client) -> None:
        self.clients[client.client_id] = client

    def mark_declaration(self, declaration: Declaration) -> None:
        """Record that ``declaration`` changed in place."""

    def mark_period(self, period: Period) -> None:
        """Record that ``period`` changed in place."""

    def flush(self) -> None:
        """Make every change durable (nothing to do in memory)."""

    def clear(self, *, clients: bool) -> None:
        self.declarations.clear()
        self.periods.clear()
        if clients:
            self.clients.clear()

    def close(self) -> None:
        """Release resources."""


class SqliteStore(Store):
    """Memory plus a SQLite mirror (WAL), so that a restart keeps declarations and periods."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._path = path
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._dirty_declarations: dict[int, Declaration] = {}
        self._dirty_periods: dict[int, Period] = {}
        self._dirty_clients: dict[str, Client] = {}
        self._load()

    @property
    def description(self) -> str:
        return f"sqlite:{self._path}"

    @property
    def persistent(self) -> bool:
        return True

    def _load(self) -> None:
        for (body,) in self._db.execute("SELECT body FROM declarations ORDER BY id"):
            declaration = Declaration.from_dict(json.loads(body))
            self.declarations[declaration.id] = declaration
        for (body,) in self._db.execute("SELECT body FROM periods ORDER BY id"):
            period = Period.from_dict(json.loads(body))
            self.periods[period.id] = period
        for (body,) in self._db.execute("SELECT body FROM clients"):
            client = Client.from_wire(json.loads(body))
            self.clients[client.client_id] = client

    def put_declaration(self, declaration: Declaration) -> None:
        super().put_declaration(declaration)
        self._dirty_declarations[declaration.id] = declaration

    def put_period(self, period: Period) -> None:
        super().put_period(period)
        self._dirty_periods[period.id] = period

    def put_client(self, client: Client) -> None:
        super().put_client(client)
        self._dirty_clients[client.client_id] = client

    def mark_declaration(self, declaration: Declaration) -> None:
        self._dirty_declarations[declaration.id] = declaration

    def mark_period(self, period: Period) -> None:
        self._dirty_periods[period.id] = period

    def flush(self) -> None:
        if not (self._dirty_declarations or self._dirty_periods or self._dirty_clients):
            return
        with self._db:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO declarations (id, body) VALUES (?, ?)",
                [(d.id, json.dumps(d.to_dict())) for d in self._dirty_declarations.values()],
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO periods (id, body) VALUES (?, ?)",
                [(p.id, json.dumps(p.to_dict())) for p in self._dirty_periods.values()],
            )
            self._db.executemany(
                "INSERT OR REPLACE INTO clients (client_id, body) VALUES (?, ?)",
                [(c.client_id, json.dumps(c.to_wire())) for c in self._dirty_clients.values()],
            )
        self._dirty_declarations.clear()
        self._dirty_periods.clear()
        self._dirty_clients.clear()

    def clear(self, *, clients: bool) -> None:
        super().clear(clients=clients)
        self._dirty_declarations.clear()
        self._dirty_periods.clear()
        with self._db:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM declarations")
            self._db.execute("DELETE FROM periods")
            if clients:
                self._dirty_clients.clear()
                self._db.execute("DELETE FROM clients")

    def close(self) -> None:
        self.flush()
        self._db.close()


def open_store(state: str) -> Store:
    """``memory`` or a path to a SQLite file."""
    if state == "memory":
        return Store()
    return SqliteStore(Path(state))
