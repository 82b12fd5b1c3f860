"""Has anyone committed to the database since I last looked? (SQLite's `data_version`.)

`ChangeWatch(store).version()` is SQLite's `PRAGMA data_version` read on a connection of
the watch's own, which never writes: the number changes whenever any other connection —
of this process or of another one sharing the file — commits, and stays the same
otherwise. So a reader that remembers the version it saw before a query can answer again
from that query's result, exactly, while the version is unchanged (`/health`'s job counts;
a worker pool's "nothing is queued" when idle), at the cost of one pragma (microseconds)
instead of a query.

For PostgreSQL and in-memory SQLite (one shared connection: its own commits would not
move the number) `version()` is None: callers then always run their query.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

from sqlalchemy.pool import StaticPool

from reev.store.store import Store


class ChangeWatch:
    """A commit counter for one store's database (None when it cannot tell)."""

    def __init__(self, store: Store) -> None:
        self._lock = threading.Lock()
        self._conn: Any = None
        engine = store.engine
        if engine.dialect.name != "sqlite" or isinstance(engine.pool, StaticPool):
            return
        fairy = engine.raw_connection()  # the engine's settings (WAL, busy timeout, …)
        fairy.detach()  # ours alone: never back in the pool, never used for a write
        self._conn = fairy.dbapi_connection
        weakref.finalize(self, self._conn.close)

    def version(self) -> int | None:
        """The database's commit counter as this watch sees it, or None (not SQLite)."""
        if self._conn is None:
            return None
        with self._lock:
            row = self._conn.execute("PRAGMA data_version").fetchone()
        return int(row[0])

    def close(self) -> None:
        """Release the watch's connection (`version()` is None afterwards)."""
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()
