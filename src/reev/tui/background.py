"""An asyncio loop in its own thread, where episodes run.

An episode mixes awaits (LLM calls) with synchronous work (building the LiteSVM state,
executing transactions, scoring, writing to the store). Run on Textual's loop, that
synchronous work would freeze the screen; run in a plain thread, an episode could not be
cancelled. Here each episode is a task on a second loop: the UI awaits it through a
future, and cancelling that await cancels the task where it runs.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


class BackgroundLoop:
    """A daemon thread running an event loop; `run` executes a coroutine there."""

    def __init__(self, name: str = "reev-tui-episodes") -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()
        self._futures: set[concurrent.futures.Future[Any]] = set()
        self._closed = False

    @property
    def active(self) -> int:
        """How many coroutines are still running (or unwinding) on the loop."""
        return sum(not f.done() for f in self._futures)

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the background loop; cancelling the caller cancels it there."""
        if self._closed:
            coro.close()
            raise RuntimeError("the episode loop is closed")
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        self._futures.add(future)
        future.add_done_callback(self._futures.discard)
        return await asyncio.wrap_future(future)

    def _drain(self, timeout: float) -> None:
        """Cancel every task on the loop and wait until they have unwound."""

        async def cancel_all() -> None:
            me = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not me]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(cancel_all(), self._loop).result(timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Cancel what still runs, stop the loop and join its thread (blocking)."""
        if self._closed:
            return
        self._closed = True
        try:
            self._drain(timeout)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout)
            if not self._thread.is_alive():
                self._loop.close()

    async def aclose(self, timeout: float = 10.0) -> None:
        """`close` without blocking the calling loop."""
        await asyncio.to_thread(self.close, timeout)
