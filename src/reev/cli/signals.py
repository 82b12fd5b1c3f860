"""SIGINT and SIGTERM, handled explicitly whatever the parent process left behind.

A job started in the background by a non-interactive shell (a CI step, `cmd &`) inherits
SIGINT *ignored*, and Python then never raises KeyboardInterrupt; SIGTERM kills Python
without any cleanup. So `reev` installs its own handlers for both: a signal stops the
command with `Stopped`, and the process exits 128 + the signal number (130 for SIGINT,
143 for SIGTERM), as shells report a process killed by that signal.

Inside an event loop (`run_async`) a signal cancels the main task instead of raising at
an arbitrary point, so `run_matrix` writes the finished episodes and marks the run
interrupted before `Stopped` reaches the command.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Coroutine
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")

STOP_SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)


class Stopped(BaseException):
    """The process got SIGINT or SIGTERM (a BaseException, like KeyboardInterrupt, so
    `except Exception` in library code does not swallow it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """128 + the signal number: 130 for SIGINT, 143 for SIGTERM."""
        return 128 + self.signum

    @property
    def signal_name(self) -> str:
        return signal.Signals(self.signum).name


def _raise_stopped(signum: int, _frame: FrameType | None) -> None:
    raise Stopped(signum)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def install_handlers() -> None:
    """Make SIGINT and SIGTERM raise `Stopped` in the main thread, even when the parent
    process had SIGINT ignored. A no-op outside the main thread (signals go there)."""
    if not _in_main_thread():
        return
    for sig in STOP_SIGNALS:
        signal.signal(sig, _raise_stopped)


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(coro)`, cancelled cleanly by SIGINT or SIGTERM, which then raise
    `Stopped` once the coroutine has finished its own cleanup."""
    import asyncio  # not at module level: `reev --help` has no event loop to pay for

    async def main() -> T:
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        got: list[int] = []

        def on_signal(signum: int) -> None:
            got.append(signum)
            if task is not None:
                task.cancel()  # a second signal cancels again: the user insists

        handled = _in_main_thread()
        before = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS} if handled else {}
        if handled:
            for sig in STOP_SIGNALS:
                loop.add_signal_handler(sig, on_signal, int(sig))
        try:
            return await coro
        except asyncio.CancelledError:
            if got:
                raise Stopped(got[0]) from None
            raise
        finally:
            for sig, previous in before.items():
                loop.remove_signal_handler(sig)  # resets the defaults: put back what was there
                signal.signal(sig, previous if previous is not None else signal.SIG_DFL)

    return asyncio.run(main())
