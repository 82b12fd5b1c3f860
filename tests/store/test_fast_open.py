"""Opening a database already at the packaged head skips Alembic; anything else migrates."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from reev.store import open_store
from reev.store.engine import current_revision, packaged_heads


def _alembic_loaded_opening(db: Path) -> bool:
    code = (
        "import sys\nfrom reev.store import open_store\n"
        f"open_store({str(db)!r}).close()\n"
        "import json\nprint(json.dumps('alembic' in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return bool(json.loads(out.stdout.strip().splitlines()[-1]))


def test_packaged_heads_are_what_alembic_migrates_to(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "a.db"))
    try:
        assert {current_revision(store.engine)} == set(packaged_heads())
    finally:
        store.close()


def test_a_current_database_opens_without_alembic(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    assert _alembic_loaded_opening(db)  # a new file: migrated by Alembic
    assert not _alembic_loaded_opening(db)  # at head: not even imported


def test_a_database_behind_head_is_migrated(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    db = tmp_path / "c.db"
    store = open_store(str(db))
    config = Config()  # take it back to the first revision, as an older reev left it
    config.set_main_option("script_location", "reev.store:migrations")
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    store.close()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
    assert _alembic_loaded_opening(db)
    store = open_store(str(db))
    try:
        assert {current_revision(store.engine)} == set(packaged_heads())
    finally:
        store.close()
