"""The store writer child: opens the database it is sent, keeps the URL off its command
line, writes the rows it is sent, and ends cleanly when its input closes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from reev.results.errors import error_result
from reev.store import open_store, writer_process
from reev.store.store import episode_batch_rows
from reev.store.writer_process import StoreWriterProcess

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pipes only")


def test_the_child_writes_rows_and_ends_when_its_input_closes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'secret-name.db'}"
    store = open_store(url)
    store.create_run("r")
    process = StoreWriterProcess.start(url)
    assert process is not None
    try:
        command_line = Path(f"/proc/{process._child.pid}/cmdline")
        if command_line.exists():
            assert b"secret-name" not in command_line.read_bytes()
        assert process.wait_answer() == "ready"
        assert process.idle
        results = [error_result("b", "agent", 0, "boom", "outcome", None, e) for e in range(3)]
        assert process.send("r", episode_batch_rows("r", results, {}))
        assert process.busy and not process.idle
        assert process.wait_answer() == "ok"
        assert store.count_episodes("r") == 3
        again = [results[0].model_copy(update={"execution_id": "retry"})]
        assert process.send("r", episode_batch_rows("r", again, {}))
        assert process.wait_answer() == "ok"
        kept = {e.execution_id: e for e in store.list_episodes(run_id="r")}
        assert "retry" in kept and results[0].execution_id not in kept, "a retry replaces"
    finally:
        process.close()
        child = process._child
        writer_process.reap_writers(None)
        store.close()
    assert child.returncode == 0
    assert child not in writer_process._ENDING


def test_a_child_that_cannot_open_the_database_is_gone(tmp_path: Path) -> None:
    process = StoreWriterProcess.start("notadialect://nowhere")
    assert process is not None
    try:
        assert process.wait_answer() == "gone"
        assert process.gone and not process.idle
    finally:
        process.close()
        writer_process.reap_writers(None)
