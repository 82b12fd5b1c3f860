"""Migrations: an empty database comes out at head, and the models match the migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from reev.store import open_store
from reev.store.engine import create_store_engine, current_revision, migrate_with_alembic
from reev.store.models import Base


def _head() -> str:
    config = Config()
    config.set_main_option("script_location", "reev.store:migrations")
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def test_empty_file_is_migrated_to_head(tmp_path: Path) -> None:
    path = tmp_path / "new" / "reev.db"
    assert not path.exists()
    store = open_store(f"sqlite:///{path}")
    try:
        assert current_revision(store.engine) == _head()
    finally:
        store.close()
    tables = {
        row[0]
        for row in sqlite3.connect(path).execute(
            "SELECT name FROM sqlite_master WHERE type='table'"
        )
    }
    assert {"runs", "episodes"} <= tables
    assert not {"steps", "transactions", "tool_calls", "model_calls"} & tables  # one form
    assert {"benchmark_versions", "model_cache", "alembic_version"} <= tables


def _migrated(path: Path) -> None:
    """A new file brought to head by Alembic's revisions (not by `open_store`'s shortcut)."""
    engine = create_store_engine(f"sqlite:///{path}")
    try:
        migrate_with_alembic(engine)
    finally:
        engine.dispose()


def test_models_match_migrations(tmp_path: Path) -> None:
    _migrated(tmp_path / "reev.db")
    store = open_store(f"sqlite:///{tmp_path / 'reev.db'}")
    try:
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        store.close()
    assert diff == [], f"models and migrations disagree; add a revision: {diff}"


def _schema(path: Path) -> dict[str, object]:
    """Every table's columns, indexes (with their columns) and foreign keys, as SQLite
    reports them; column order left out (a revision appends what it adds)."""
    conn = sqlite3.connect(path)
    try:
        tables = sorted(
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        )
        schema: dict[str, object] = {}
        for table in tables:
            columns = {row[1:] for row in conn.execute(f"PRAGMA table_xinfo('{table}')")}
            indexes = {
                (name, unique, origin, partial,
                 tuple(r[2] for r in conn.execute(f"PRAGMA index_info('{name}')")))
                for _seq, name, unique, origin, partial in conn.execute(
                    f"PRAGMA index_list('{table}')"
                )
            }  # fmt: skip
            keys = {row[2:] for row in conn.execute(f"PRAGMA foreign_key_list('{table}')")}
            (sql,) = conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).fetchone()
            schema[table] = (columns, indexes, keys, sql.count("CHECK"))
        schema["alembic_version"] = conn.execute("SELECT * FROM alembic_version").fetchall()
        return schema
    finally:
        conn.close()


def test_a_new_file_gets_the_schema_the_migrations_build(tmp_path: Path) -> None:
    """`open_store` creates a new SQLite file from the models and stamps it at head;
    that must be, table for table and index for index, what Alembic's revisions build."""
    _migrated(tmp_path / "alembic.db")
    open_store(str(tmp_path / "created.db")).close()
    migrated, created = _schema(tmp_path / "alembic.db"), _schema(tmp_path / "created.db")
    assert created.keys() == migrated.keys()
    for table in migrated:
        assert created[table] == migrated[table], table


def test_reopening_keeps_data_and_revision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'reev.db'}"
    with open_store(url) as store:
        store.create_run("r1")
    with open_store(url) as store:
        assert current_revision(store.engine) == _head()
        assert [r.id for r in store.list_runs()] == ["r1"]


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "reev.db"
    with open_store(str(path)) as store:
        store.create_run("r1")
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_json_columns_are_jsonb_on_postgresql_and_json_on_sqlite() -> None:
    from sqlalchemy.dialects import postgresql, sqlite
    from sqlalchemy.schema import CreateTable

    from reev.store.models import Episode

    table = Episode.__table__
    assert "result_json JSONB NOT NULL" in str(
        CreateTable(table).compile(dialect=postgresql.dialect())
    )
    assert "result_json JSON NOT NULL" in str(CreateTable(table).compile(dialect=sqlite.dialect()))
