"""Opening a database at the packaged head, or a new SQLite file, skips Alembic; a database
below head is migrated by it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from reev.store import open_store
from reev.store.engine import (
    create_store_engine,
    current_revision,
    migrate_with_alembic,
    packaged_heads,
)


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
    engine = create_store_engine(f"sqlite:///{tmp_path / 'a.db'}")
    try:
        migrate_with_alembic(engine)
        assert {current_revision(engine)} == set(packaged_heads())
    finally:
        engine.dispose()


def test_a_new_or_current_database_opens_without_alembic(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    assert not _alembic_loaded_opening(db)  # a new file: created from the models
    assert not _alembic_loaded_opening(db)  # at head: not even imported
    with sqlite3.connect(db) as conn:
        assert {row[0] for row in conn.execute("SELECT version_num FROM alembic_version")} == (
            set(packaged_heads())
        )


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


def test_two_processes_opening_a_new_database_at_once_both_succeed(tmp_path: Path) -> None:
    """One migrates; the other, which opens once a first revision is committed, waits for
    the rest and finds the database at head (it had read the revision in between and
    applied the next one again: `DROP TABLE … no such table`)."""
    for rep in range(4):
        db = tmp_path / f"new-{rep}.db"
        poller = (  # opens as soon as the other has committed a first revision
            "import sqlite3, time\nfrom reev.store import open_store\n"
            "print('ready', flush=True)\n"
            "while True:\n"
            "    try:\n"
            f"        c = sqlite3.connect('file:{db}?mode=ro', uri=True, timeout=0)\n"
            "        if c.execute('SELECT count(*) FROM alembic_version').fetchone()[0]: break\n"
            "    except sqlite3.Error:\n"
            "        time.sleep(0.0005)\n"
            f"open_store({str(db)!r}).close()\n"
        )
        opener = f"from reev.store import open_store\nopen_store({str(db)!r}).close()\n"
        first = subprocess.Popen(
            [sys.executable, "-c", poller],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert first.stdout is not None and first.stdout.readline().strip() == "ready"
        second = subprocess.Popen([sys.executable, "-c", opener], stderr=subprocess.PIPE, text=True)
        for proc in (first, second):
            _, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err[-2000:]
        with sqlite3.connect(db) as conn:
            versions = [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
        assert set(versions) == set(packaged_heads())
