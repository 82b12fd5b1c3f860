"""Migrations: an empty database comes out at head, and the models match the migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from reev.store import open_store
from reev.store.engine import current_revision
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


def test_models_match_migrations(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'reev.db'}")
    try:
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        store.close()
    assert diff == [], f"models and migrations disagree; add a revision: {diff}"


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
