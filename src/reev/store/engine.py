"""Database URLs, engines and migrations.

The URL comes from `--db URL`, else `REEV_DATABASE_URL`, else SQLite at
`$REEV_HOME/reev.db` (default `~/.local/share/reev/reev.db`, honouring `XDG_DATA_HOME`).
Opening a database runs Alembic's migrations up to head, so an empty file and an old
database both come out current.

SQLite is tuned for several writers: WAL journal (readers never block the writer),
`busy_timeout` (a writer waits for the lock instead of failing), and write transactions
start with `BEGIN IMMEDIATE` so two writers never deadlock upgrading a read lock.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import StaticPool

ENV_URL = "REEV_DATABASE_URL"
ENV_HOME = "REEV_HOME"
BUSY_TIMEOUT_MS = 60_000
WRITE_OPTION = "reev_write"


class StoreError(Exception):
    """The database cannot be opened or used (bad URL, unreachable server, newer schema)."""


def data_dir() -> Path:
    """Where reev keeps its default database: $REEV_HOME, else $XDG_DATA_HOME/reev."""
    home = os.environ.get(ENV_HOME)
    if home:
        return Path(home).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "reev"


def default_database_url() -> str:
    """`REEV_DATABASE_URL` when set, else the SQLite file under `data_dir()`."""
    url = os.environ.get(ENV_URL)
    if url:
        return url
    return f"sqlite:///{data_dir() / 'reev.db'}"


def resolve_url(url: str | None) -> str:
    """An explicit URL wins; a bare path means a SQLite file; None means the default."""
    if url is None or not url.strip():
        return default_database_url()
    url = url.strip()
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.removeprefix("postgres://")
    return url


def strict_json(value: Any) -> str:
    """JSON for the JSON columns: NaN and infinities are refused (ValueError), because
    PostgreSQL's jsonb rejects them and a reader could not tell what they meant."""
    return json.dumps(value, allow_nan=False)


def create_store_engine(url: str) -> Engine:
    """An engine for `url` with reev's SQLite settings; the SQLite folder is created."""
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise StoreError(f"invalid database URL {url!r}: {exc}") from exc
    if parsed.get_backend_name() != "sqlite":
        try:
            return create_engine(url, pool_pre_ping=True, json_serializer=strict_json)
        except Exception as exc:
            raise StoreError(f"cannot use database {parsed.render_as_string()}: {exc}") from exc
    database = parsed.database or ""
    in_memory = database in ("", ":memory:") or database.startswith("file::memory:")
    kwargs: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": 60},
        "json_serializer": strict_json,
    }
    if in_memory:
        kwargs["poolclass"] = StaticPool
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    _tune_sqlite(engine, in_memory)
    return engine


def _tune_sqlite(engine: Engine, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN; pysqlite's own is deferred-only.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get(WRITE_OPTION):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


_MIGRATION_LOCK = threading.Lock()


def upgrade_to_head(engine: Engine) -> None:
    """Run the packaged Alembic migrations up to head on `engine`.

    Alembic keeps its migration context in module globals, so migrations in one process
    are serialized; across processes SQLite's write lock and PostgreSQL's advisory lock
    (migrations/env.py) do it.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "reev.store:migrations")
    with (
        _MIGRATION_LOCK,
        engine.connect().execution_options(**{WRITE_OPTION: True}) as connection,
    ):
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None for an empty database)."""
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
