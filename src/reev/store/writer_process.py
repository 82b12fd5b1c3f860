"""A store writer in a process of its own, so a long run's commits use a second core.

A short episode takes about a millisecond; writing it (SQLAlchemy's statement execution,
SQLite's page writes and checkpoints) took about a fifth of a `reev run` of the bundled
suite, all on the event loop's one thread, with the machine's other cores idle. A thread
did not help: the Python half of a write holds the GIL the episodes need. So the run's
process keeps the encoding (`episode_batch_rows`) and sends the rows to a child process
(`python -m reev.store.writer_process`), which writes them with `Store.write_rows`.

The parent is in charge of every result until the child says it is committed: a batch
the child refuses, or does not answer because it died, is written by the parent itself
(`Store.record_episodes`, which finds a result the database refuses and stores an error
result in its place). So the child only ever makes a write faster, never loses one: a
child that cannot start, or is killed, leaves the parent writing as before.

The protocol, on the child's standard input and a copy of its standard output (its own
stdout goes to stderr, so a stray print cannot break it): the parent sends frames (8-byte
length, then a pickle: first the store URL, then `(run_id, rows)` for each batch; the
URL never appears on a command line); the child answers one line per frame: `ready`
once the database is open, then `ok` or `refused` for each batch, one batch at a time.
End of input ends the child. Both ends are this package: the pickles are our own data.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import pickle
import signal
import struct
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

_LENGTH = struct.Struct(">Q")
READY, OK, REFUSED, GONE = "ready", "ok", "refused", "gone"


class StoreWriterProcess:
    """The parent's handle on one writer child: send a batch when it is `idle`, read its
    answers when `fileno()` is readable (`answers`) or wait for one (`wait_answer`)."""

    def __init__(self, child: subprocess.Popen[bytes]) -> None:
        self._child = child
        assert child.stdin is not None and child.stdout is not None
        self._input: IO[bytes] = child.stdin
        self._output: IO[bytes] = child.stdout
        os.set_blocking(self._output.fileno(), False)
        _widen(self._input.fileno())
        self._buffer = b""
        self.ready = False  # the child has opened the database
        self.busy = False  # a batch is sent and not yet answered
        self.gone = False  # the child ended (or its pipe broke): write in the parent

    @classmethod
    def start(cls, url: str) -> StoreWriterProcess | None:
        """Start a child writing to the database at `url` (it answers `ready` once it
        has opened it), or None where no child can be started."""
        package_root = str(Path(__file__).resolve().parents[2])  # reev's own copy
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([package_root, *filter(None, [env.get("PYTHONPATH")])])
        try:
            child = subprocess.Popen(
                [sys.executable, "-m", "reev.store.writer_process"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
            )
        except OSError:
            return None
        reap_writers()
        writer = cls(child)
        if not writer._send(url):
            writer.close()
            return None
        return writer

    @property
    def idle(self) -> bool:
        """Open, ready and not writing: a batch may be sent."""
        return self.ready and not self.busy and not self.gone

    def fileno(self) -> int:
        """The descriptor the child's answers arrive on."""
        return self._output.fileno()

    def send(self, run_id: str, rows: Sequence[dict[str, Any]]) -> bool:
        """Send one batch (only when `idle`); False when the child is gone."""
        assert self.idle, "one batch at a time, once the child is ready"
        self.busy = self._send((run_id, list(rows)))
        return self.busy

    def _send(self, value: object) -> bool:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self._input.write(_LENGTH.pack(len(payload)))
            self._input.write(payload)
            self._input.flush()
        except (BrokenPipeError, ValueError, OSError):
            self.gone = True
            return False
        return True

    def answers(self) -> list[str]:
        """The answers that have arrived (without waiting); `gone` when the child ended."""
        try:
            chunk = os.read(self.fileno(), 4096)
        except BlockingIOError:
            return []
        except OSError:
            chunk = b""
        if not chunk:
            return [self._ended()]
        self._buffer += chunk
        *lines, self._buffer = self._buffer.split(b"\n")
        return [self._note(line.decode()) for line in lines]

    def wait_answer(self) -> str:
        """Wait for the next answer (the final flush's wait for the batch in flight)."""
        os.set_blocking(self.fileno(), True)
        try:
            while b"\n" not in self._buffer:
                try:
                    chunk = os.read(self.fileno(), 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    return self._ended()
                self._buffer += chunk
        finally:
            os.set_blocking(self.fileno(), False)
        line, self._buffer = self._buffer.split(b"\n", 1)
        return self._note(line.decode())

    def _note(self, answer: str) -> str:
        if answer == READY:
            self.ready = True
        elif answer in (OK, REFUSED):
            self.busy = False
        return answer

    def _ended(self) -> str:
        self.gone = True
        self.busy = False
        return GONE

    def close(self) -> None:
        """End the child: its input closes and it exits (it has nothing in flight by
        then). Its exit (closing the database, a WAL checkpoint: ~0.2 s) is not waited
        for here; it is reaped later (`reap_writers`), at the latest when this process
        exits."""
        self.gone = True
        for stream in (self._input, self._output):
            with contextlib.suppress(OSError):
                stream.close()
        _ENDING.append(self._child)


# Children told to end and not yet reaped.
_ENDING: list[subprocess.Popen[bytes]] = []


def reap_writers(timeout: float | None = 0.0) -> None:
    """Reap the writer children that have exited; with a `timeout`, wait that long for
    each of the others, then kill it (None: wait as long as it takes)."""
    for child in list(_ENDING):
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            if timeout == 0.0:
                continue
            child.kill()
            child.wait()
        _ENDING.remove(child)


atexit.register(reap_writers, 30.0)


def _widen(pipe: int) -> None:
    """Let a whole batch (~0.7 MB of rows) fit in the pipe where the system allows it
    (Linux: up to /proc/sys/fs/pipe-max-size, 1 MiB by default): the parent's write then
    returns at once instead of waiting, 64 KiB at a time, for the child to read."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if set_size is None:
        return
    for size in (4 << 20, 1 << 20):
        try:
            fcntl.fcntl(pipe, set_size, size)
        except OSError:
            continue
        return


def _read_frame(stream: IO[bytes]) -> Any | None:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(head)
    payload = stream.read(length)
    if len(payload) < length:
        return None
    return pickle.loads(payload)


def _serve() -> int:
    """The child: open the store, then write each batch it is sent, until input ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    answers = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)  # a stray print goes to stderr, not into the answers
    source = sys.stdin.buffer
    url = _read_frame(source)
    if not isinstance(url, str):
        return 2
    from reev.store.engine import create_store_engine
    from reev.store.store import Store

    try:
        store = Store(create_store_engine(url), url)
    except Exception:  # the parent goes on writing itself, and meets the reason there
        return 1
    try:
        answers.write(f"{READY}\n".encode())
        while (batch := _read_frame(source)) is not None:
            run_id, rows = batch
            try:
                store.write_rows(run_id, rows)
            except Exception:  # the parent writes this batch itself and reports why
                answers.write(f"{REFUSED}\n".encode())
            else:
                answers.write(f"{OK}\n".encode())
    except BrokenPipeError:
        return 0  # the parent is gone
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(_serve())
