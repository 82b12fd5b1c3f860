"""Writing a run's results into its store as they finish, in batches.

`ResultWriter` batches results and reports each one (the result tree, the progress bar)
only once it is committed: an episode shown as done is in the database, however the
process ends afterwards (a WAL commit survives even SIGKILL). One transaction per batch
(a commit per episode cost more than a short episode); a batch is written when it is
full, or at most `WRITE_INTERVAL_S` after its first result arrived (a timer, so a slow
run's results are not held back), and at the end.

A run of at least `PROCESS_WRITER_MIN` episodes into a database on disk or on a server
has its batches committed by a writer process (`reev.store.writer_process`) while the
event loop goes on running episodes: the loop only encodes the rows. Until that process
is ready, for a batch it refuses and after it ends, the loop writes the batch itself, as
a smaller run always does, so every result is written exactly as `Store.record_episodes`
writes it.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from reev.results.records import EpisodeResult

if TYPE_CHECKING:
    from reev.store import Store
    from reev.store.writer_process import StoreWriterProcess

WRITE_BATCH = 64
WRITE_INTERVAL_S = 0.25
# Below this many episodes a writer process is not worth its start (~0.3 s of a core).
PROCESS_WRITER_MIN = 256


class ResultWriter:
    """Batches results into `store` (None: report them at once) under run `run_id`."""

    def __init__(
        self,
        store: Store | None,
        run_id: str,
        versions: dict[str, int | None],
        report: Callable[[EpisodeResult], None],
        batch: int = 0,
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.versions = versions
        self.report = report
        self.batch = batch or WRITE_BATCH
        self.pending: list[EpisodeResult] = []
        self._timer: asyncio.TimerHandle | None = None
        self._due = False  # the timer fired while the writer process was busy
        self._failed: BaseException | None = None  # a timed write's error, raised by add
        self._process: StoreWriterProcess | None = None
        self._in_flight: list[EpisodeResult] = []  # sent to the process, not yet answered

    def start_process(self, episodes: int) -> None:
        """Start a writer process when a run of `episodes` is worth one (see the module);
        called on the event loop."""
        if self.store is None or episodes < PROCESS_WRITER_MIN or os.name != "posix":
            return
        from reev.store.engine import sqlite_in_memory
        from reev.store.writer_process import StoreWriterProcess

        if sqlite_in_memory(self.store.url):  # only this process can see it
            return
        self._process = StoreWriterProcess.start(self.store.url)
        if self._process is not None:
            asyncio.get_running_loop().add_reader(self._process.fileno(), self._on_answer)

    def add(self, result: EpisodeResult) -> None:
        if self.store is None:
            self.report(result)
            return
        if self._failed is not None:
            failed, self._failed = self._failed, None
            raise failed
        self.pending.append(result)
        if len(self.pending) >= self.batch:
            self._write_due()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(WRITE_INTERVAL_S, self._timed)

    def _timed(self) -> None:
        """The timer's write: an error waits for the next `add` (or the final flush),
        which the run's tasks see, instead of going to the event loop's log."""
        self._timer = None
        try:
            self._write_due()
        except BaseException as exc:
            self._failed = exc

    def _write_due(self) -> None:
        """Write what is pending: through the writer process when it is idle; when it is
        busy, once its answer arrives; on this thread when there is none (yet)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        process = self._process
        if process is None or not process.ready:
            self.flush()
        elif process.busy:
            self._due = True
        elif self.pending:
            self._send(process)

    def _send(self, process: StoreWriterProcess) -> None:
        from reev.store.store import episode_batch_rows

        batch, self.pending = self.pending, []
        try:
            rows = episode_batch_rows(self.run_id, batch, self.versions)
        except (ValueError, TypeError, OverflowError):  # one is unencodable: find it here
            self._write_here(batch)
            return
        self._due = False
        if process.send(self.run_id, rows):
            self._in_flight = batch
        else:  # the process is gone
            self._drop_process()
            self._write_here(batch)

    def _on_answer(self) -> None:
        """The writer process answered (or ended): report what it committed, write what
        it did not, and send the next batch when one is due."""
        process = self._process
        if process is None:
            return
        try:
            for answer in process.answers():
                self._settle(answer)
            if self._process is not None and (len(self.pending) >= self.batch or self._due):
                self._write_due()
        except BaseException as exc:
            self._failed = self._failed or exc

    def _settle(self, answer: str) -> None:
        from reev.store.writer_process import GONE, OK, READY, REFUSED

        if answer == READY:
            return
        batch, self._in_flight = self._in_flight, []
        if answer == OK:
            for result in batch:
                self.report(result)
            return
        if answer == GONE:
            self._drop_process()
        if answer in (GONE, REFUSED) and batch:
            self._write_here(batch)  # raises what the database refuses, as without one

    def _drop_process(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            asyncio.get_running_loop().remove_reader(process.fileno())
            process.close()

    def flush(self) -> None:
        """Write everything now, on this thread, once the batch in flight is settled."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        process = self._process
        if process is not None and process.busy:
            self._settle(process.wait_answer())
        if self.store is None or not self.pending:
            return
        batch, self.pending = self.pending, []
        self._write_here(batch)

    def _write_here(self, batch: list[EpisodeResult]) -> None:
        assert self.store is not None
        try:
            stored = self.store.record_episodes(
                self.run_id, batch, benchmark_versions=self.versions
            )
        except BaseException:
            self.pending = batch + self.pending  # not written: the final flush tries again
            raise
        for result in stored:  # an error result where the store could not hold one
            self.report(result)

    def close(self) -> None:
        """End the writer process (after `flush`: nothing is in flight)."""
        if self._process is not None:
            self._drop_process()
