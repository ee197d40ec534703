"""Versioned schema migrations, written once for both engines.

Placeholders: ``{id}`` auto-increment primary key, ``{blob}`` bytes, ``{float}`` double,
``{ssin_of_declaration}`` the worker's SSIN read from ``declarations.declaration_json``.

Policy (docs/store.md): a released migration is never edited, only followed by a new version;
migrations are additive (new tables, columns, indexes), so a replica still running the previous
release keeps working against the newer schema during a rolling upgrade.
"""

from __future__ import annotations

from typing import Final, Literal

Dialect = Literal["sqlite", "postgres"]

_TYPES: Final[dict[Dialect, dict[str, str]]] = {
    "sqlite": {
        "id": "INTEGER PRIMARY KEY AUTOINCREMENT",
        "blob": "BLOB",
        "float": "REAL",
        "ssin_of_declaration": "COALESCE(json_extract(declaration_json, '$.worker.ssin'), "
        "json_extract(declaration_json, '$.ssin'))",
    },
    "postgres": {
        "id": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
        "blob": "BYTEA",
        "float": "DOUBLE PRECISION",
        "ssin_of_declaration": "COALESCE(declaration_json::jsonb #>> '{worker,ssin}', "
        "declaration_json::jsonb ->> 'ssin')",
    },
}

MIGRATIONS: Final[tuple[tuple[int, str], ...]] = (
    (
        1,
        """
        CREATE TABLE inbox (
            seq {id},
            event_id TEXT NOT NULL UNIQUE,
            employment_id TEXT NOT NULL,
            event_type TEXT NOT NULL,
            topic TEXT NOT NULL,
            kafka_partition INTEGER NOT NULL,
            kafka_offset BIGINT NOT NULL,
            event_json TEXT NOT NULL,
            received_at {float} NOT NULL,
            outcome TEXT,
            finished_at {float}
        );
        CREATE INDEX inbox_open ON inbox (employment_id, seq) WHERE outcome IS NULL;
        CREATE INDEX inbox_partition_open ON inbox (kafka_partition) WHERE outcome IS NULL;
        CREATE TABLE employments (
            employment_id TEXT PRIMARY KEY,
            periods_json TEXT NOT NULL,
            updated_at {float} NOT NULL
        );
        CREATE TABLE declarations (
            row_id {id},
            employment_id TEXT NOT NULL,
            event_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            kind TEXT NOT NULL,
            declaration_json TEXT NOT NULL,
            body_json TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            declaration_id BIGINT,
            period_id BIGINT,
            result TEXT,
            answer_json TEXT,
            failure TEXT,
            submitted_at {float},
            next_action_at {float},
            created_at {float} NOT NULL,
            updated_at {float} NOT NULL,
            UNIQUE (event_id, position)
        );
        CREATE INDEX declarations_employment ON declarations (employment_id);
        CREATE INDEX declarations_onss_id ON declarations (declaration_id);
        CREATE TABLE outbox (
            row_id {id},
            source_partition INTEGER NOT NULL,
            record_key TEXT NOT NULL,
            record_value {blob} NOT NULL,
            created_at {float} NOT NULL,
            published_at {float}
        );
        CREATE INDEX outbox_pending ON outbox (row_id) WHERE published_at IS NULL;
        """,
    ),
    (
        2,
        """
        ALTER TABLE declarations ADD COLUMN worker_ssin TEXT;
        UPDATE declarations SET worker_ssin = {ssin_of_declaration};
        CREATE INDEX declarations_worker ON declarations (worker_ssin);
        CREATE INDEX declarations_due ON declarations (next_action_at)
            WHERE next_action_at IS NOT NULL;
        CREATE INDEX outbox_partition_pending ON outbox (source_partition, row_id)
            WHERE published_at IS NULL;
        CREATE TABLE declaration_log (
            row_id {id},
            declaration_row_id BIGINT NOT NULL REFERENCES declarations (row_id),
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            declaration_id BIGINT,
            result TEXT,
            answer_json TEXT,
            failure TEXT,
            next_action_at {float},
            recorded_at {float} NOT NULL
        );
        CREATE INDEX declaration_log_declaration ON declaration_log (declaration_row_id, row_id);
        """,
    ),
    (
        3,
        """
        CREATE TABLE partition_owners (
            kafka_partition INTEGER PRIMARY KEY,
            owner TEXT NOT NULL,
            generation BIGINT NOT NULL,
            claimed_at {float} NOT NULL
        );
        CREATE INDEX inbox_employment ON inbox (employment_id, seq);
        """,
    ),
    (
        4,
        """
        ALTER TABLE declarations ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE declarations ADD COLUMN reconcile_until {float};
        ALTER TABLE declaration_log ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;
        """,
    ),
)

LATEST: Final[int] = MIGRATIONS[-1][0]


def render(sql: str, dialect: Dialect) -> list[str]:
    """The statements of one migration for one engine."""
    text = sql.format(**_TYPES[dialect])
    return [statement.strip() for statement in text.split(";") if statement.strip()]
