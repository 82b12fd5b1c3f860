"""Database URLs, engines and migrations.

The URL comes from `--db URL`, else `REEV_DATABASE_URL`, else SQLite at
`$REEV_HOME/reev.db` (default `~/.local/share/reev/reev.db`, honouring `XDG_DATA_HOME`).
Opening a database brings it to the packaged migrations' head: a new SQLite file gets
the models' schema at once (stamped with that head), any other database below head runs
Alembic's migrations, so a new file and an old database both come out current.

SQLite is tuned for several writers: WAL journal (readers never block the writer),
`busy_timeout` (a writer waits for the lock instead of failing), and write transactions
start with `BEGIN IMMEDIATE` so two writers never deadlock upgrading a read lock.
"""

from __future__ import annotations

import ast
import functools
import json
import os
import threading
from pathlib import Path
from typing import Any

from pydantic_core import PydanticSerializationError, to_json
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import StaticPool

from reev.home import data_dir as data_dir  # re-exported: reev.store.data_dir

ENV_URL = "REEV_DATABASE_URL"
BUSY_TIMEOUT_MS = 60_000
WRITE_OPTION = "reev_write"


class StoreError(Exception):
    """The database cannot be opened or used (bad URL, unreachable server, newer schema)."""


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


class EncodedJson(str):
    """JSON text its writer has already encoded and checked as `strict_json` would
    (`reev.store.rows`): the JSON columns store it as it is."""


def strict_json(value: Any) -> str:
    """JSON for the JSON columns: NaN and infinities are refused (ValueError), because
    PostgreSQL's jsonb rejects them and a reader could not tell what they meant.

    Encoded by pydantic-core's serializer (an episode's ~11 kB result in ~26 µs, where
    `json.dumps` took ~68 µs: ~4% of a stored run), compact and in UTF-8. It writes NaN
    and infinities as bare `NaN`/`Infinity`; text holding either word, and any value it
    cannot encode (lone surrogates, unknown types), goes through `json.dumps(...,
    allow_nan=False)`, which refuses what must be refused with its own error.
    `EncodedJson` text passes through."""
    if type(value) is EncodedJson:
        return value
    text = fast_json(value)
    return text if text is not None else json.dumps(value, allow_nan=False)


def fast_json(value: Any) -> EncodedJson | None:
    """`strict_json`'s text of `value` from pydantic-core's serializer (which also encodes
    pydantic models, datetimes and the like inside it), or None where `strict_json` goes
    through `json.dumps` instead: `NaN`/`Infinity` in the text, or a value it cannot
    encode."""
    try:
        text = to_json(value, inf_nan_mode="constants").decode()
    except (PydanticSerializationError, UnicodeError):
        return None
    if "NaN" in text or "Infinity" in text:
        return None
    return EncodedJson(text)


def _names_memory(database: str) -> bool:
    return database in ("", ":memory:") or database.startswith("file::memory:")


def sqlite_in_memory(url: str) -> bool:
    """Whether `url` names an in-memory SQLite database: one only its own process can see
    (so worker processes cannot share it)."""
    try:
        parsed = make_url(url)
    except Exception:
        return False
    return parsed.get_backend_name() == "sqlite" and _names_memory(parsed.database or "")


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
    in_memory = _names_memory(database)
    kwargs: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": 60},
        "json_serializer": strict_json,
    }
    if in_memory:
        kwargs["poolclass"] = StaticPool
    else:
        folder = Path(database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # under a folder that cannot be searched or written
            raise StoreError(
                f"cannot create the database folder {folder}: {exc.strerror or exc}"
            ) from exc
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
    """Bring `engine`'s database to the packaged head: nothing when it is there, the
    models' schema when it is a new SQLite file (`_create_if_empty`), else Alembic's
    migrations.

    Alembic keeps its migration context in module globals, so migrations in one process
    are serialized; across processes SQLite's write lock and PostgreSQL's advisory lock
    (migrations/env.py) do it.
    """
    if _at_head(engine):
        return  # the common case: no need to load Alembic (a third of `reev run`'s start-up)
    if engine.dialect.name == "sqlite" and _create_if_empty(engine):
        return
    migrate_with_alembic(engine)


def migrate_with_alembic(engine: Engine) -> None:
    """Run the packaged Alembic migrations up to head (what `upgrade_to_head` does for a
    database that is neither current nor a new SQLite file)."""
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


ALEMBIC_VERSION_DDL = (
    "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
    "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
)


def _create_if_empty(engine: Engine) -> bool:
    """A new SQLite database gets the models' schema at once, stamped with the packaged
    head, as Alembic would leave it; False (nothing done) when it is not empty.

    Loading Alembic and replaying every revision took ~0.25 s of a `reev run` into a new
    file; `metadata.create_all` takes a few milliseconds. The check and the creation hold
    the write lock (BEGIN IMMEDIATE), so a second process opening the same new file waits
    and then finds it at head. tests/store/test_migrations.py checks that the schema is
    the one the migrations build."""
    heads = packaged_heads()
    if len(heads) != 1:
        return False
    import reev.store.api_models  # noqa: F401  (the queue's tables join Base)
    from reev.store.models import Base

    with (
        engine.connect().execution_options(**{WRITE_OPTION: True}) as connection,
        connection.begin(),
    ):
        tables = connection.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).scalar_one()
        if tables:
            return False
        Base.metadata.create_all(connection, checkfirst=False)
        connection.exec_driver_sql(ALEMBIC_VERSION_DDL)
        connection.exec_driver_sql(
            "INSERT INTO alembic_version (version_num) VALUES (?)", (next(iter(heads)),)
        )
    return True


MIGRATIONS = Path(__file__).resolve().parent / "migrations" / "versions"


@functools.cache
def packaged_heads() -> frozenset[str]:
    """The head revisions of the packaged migrations, read from the files' `revision` and
    `down_revision` assignments (without importing Alembic)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in sorted(MIGRATIONS.glob("*.py")):
        for name, value in _module_assignments(path, ("revision", "down_revision")):
            if name == "revision" and isinstance(value, str):
                revisions.add(value)
            elif name == "down_revision" and isinstance(value, str):
                parents.add(value)
            elif name == "down_revision" and isinstance(value, (tuple, list)):
                parents.update(str(v) for v in value)
    return frozenset(revisions - parents)


def _module_assignments(path: Path, names: tuple[str, ...]) -> list[tuple[str, Any]]:
    """(name, literal value) of the module-level assignments to `names` in a file."""
    found: list[tuple[str, Any]] = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        target: ast.expr
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in names:
            found.append((target.id, ast.literal_eval(value)))
    return found


def _at_head(engine: Engine) -> bool:
    """Whether the database's Alembic revisions are exactly the packaged heads."""
    heads = packaged_heads()
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except Exception:  # no version table yet (a new database), or unreadable: migrate
        return False
    return bool(heads) and {row[0] for row in rows} == heads


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (None for an empty database)."""
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
