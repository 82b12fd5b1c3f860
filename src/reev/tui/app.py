"""`reev tui`: reev's cockpit on Textual.

Pick an agent, browse benchmarks with the agent's last stored score, run one or all,
read the result tree and the transaction logs. Episodes run on a background loop (see
`background.py`) behind a concurrency gate, so the screen never freezes; quitting cancels
what still runs and marks the session's run interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Sequence
from typing import Any, ClassVar, cast

from rich.text import Text
from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Input, ProgressBar, Static
from textual.worker import WorkerCancelled, WorkerFailed

from reev.runner.plan import LoadedBenchmark
from reev.runner.spec import SpecError
from reev.store.tui_queries import latest_episodes
from reev.tui.agents import AgentChoice, agent_choices
from reev.tui.background import BackgroundLoop
from reev.tui.render import (
    outcome_counts,
    score_text,
    status_text,
    trace_view,
    transaction_log,
)
from reev.tui.rows import BenchmarkRow, status_of
from reev.tui.session import Outcome, TuiSession, agent_label
from reev.tui.widgets import AgentBar, Navigator, ScrollPanel

EPISODES = "episodes"
STACK_BELOW = 110
"""Narrower than this, the navigator sits above the trace and log (each full width)
instead of beside them, so an 80-column terminal shows whole ids and readable trees."""


class ReevApp(App[None]):
    """The terminal UI. Construct with loaded benchmarks and a session (store + settings)."""

    TITLE = "reev"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("escape", "quit", "Quit", show=False),
        Binding("r", "run_selected", "Run"),
        Binding("a", "run_all", "Run all"),
        Binding("l", "toggle_log", "Tx log"),
        Binding("t", "toggle_theme", "Light/dark"),
        Binding("tab", "focus_next", "Panels"),
        Binding("shift+tab", "focus_previous", "Panels", show=False),
    ]

    def __init__(
        self,
        benchmarks: Sequence[LoadedBenchmark],
        session: TuiSession,
        *,
        concurrency: int = 4,
        agents: Sequence[AgentChoice] | None = None,
        agent: str | None = None,
    ) -> None:
        super().__init__()
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.session = session
        self.concurrency = concurrency
        self.rows = [BenchmarkRow(item) for item in benchmarks]
        self.choices = list(agents) if agents is not None else agent_choices()
        names = [c.name for c in self.choices]
        self.agent_index = names.index(agent) if agent in names else 0
        self.message = ""
        self._gate: asyncio.Semaphore | None = None
        self._episode_loop: BackgroundLoop | None = None
        self._batch_total = 0
        self._batch_done = 0
        self._quitting = False

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield AgentBar(id="agents")
            yield Input(placeholder="model for openai", id="model")
        with Horizontal(id="main"):
            yield Navigator(id="nav", cursor_type="row", zebra_stripes=False)
            with Vertical(id="right"):
                yield ScrollPanel(title="B: Execution Trace", id="trace")
                yield ScrollPanel(title="C: Transaction Log", id="log")
        with Horizontal(id="statusbar"):
            yield Static(id="message")
            yield ProgressBar(id="progress", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        self._gate = asyncio.Semaphore(self.concurrency)
        self._episode_loop = BackgroundLoop()
        nav = self.query_one(Navigator)
        nav.border_title = "A: Benchmarks"
        nav.add_column("score", key="score")
        nav.add_column("st", key="status")
        nav.add_column("benchmark", key="benchmark")
        for i, row in enumerate(self.rows):
            nav.add_row(
                score_text(row.score, row.status),
                status_text(row.status),
                Text(row.benchmark_id),
                key=str(i),
            )
        self.query_one("#progress", ProgressBar).display = False
        nav.focus()
        self._agent_changed()

    def on_resize(self) -> None:
        self.query_one("#main").set_class(self.size.width < STACK_BELOW, "stacked")

    # --- accessors --------------------------------------------------------------------

    @property
    def agent(self) -> AgentChoice:
        return self.choices[self.agent_index]

    @property
    def label(self) -> str:
        """What the agent's episodes are stored under (`openai:MODEL` with a model)."""
        if self.agent.wants_model:
            model = self.query_one("#model", Input).value.strip()
            return agent_label(self.agent.name, {"model": model})
        return self.agent.name

    @property
    def selected(self) -> BenchmarkRow | None:
        if not self.rows:
            return None
        cursor = self.query_one(Navigator).cursor_row
        return self.rows[min(max(cursor, 0), len(self.rows) - 1)]

    @property
    def busy(self) -> bool:
        return any(row.busy for row in self.rows)

    # --- refreshing -------------------------------------------------------------------

    def say(self, message: str) -> None:
        """Show a message in the status line."""
        self.message = message
        self._refresh_status()

    def _refresh_status(self) -> None:
        running = sum(r.status == "running" for r in self.rows)
        queued = sum(r.status == "queued" for r in self.rows)
        parts = [f"agent {self.label}"]
        if self.agent.missing:
            parts[0] += f" ({self.agent.missing}: browse only)"
        if running or queued:
            parts.append(f"running {running}, queued {queued}")
        if self._batch_total:
            parts.append(f"done {self._batch_done}/{self._batch_total}")
        if self.message:
            parts.append(self.message)
        self.query_one("#message", Static).update(" · ".join(parts))
        bar = self.query_one("#progress", ProgressBar)
        bar.display = bool(running or queued)
        bar.update(total=max(self._batch_total, 1), progress=self._batch_done)

    def _refresh_row(self, index: int) -> None:
        row = self.rows[index]
        nav = self.query_one(Navigator)
        nav.update_cell(str(index), "score", score_text(row.score, row.status))
        nav.update_cell(str(index), "status", status_text(row.status))
        nav.border_subtitle = outcome_counts([r.status for r in self.rows])
        if row is self.selected:
            self._show_panels()
        self._refresh_status()

    def _show_panels(self) -> None:
        row = self.selected
        self.query_one("#trace", ScrollPanel).show(trace_view(row))
        log = None if row is None or row.busy else row.result
        self.query_one("#log", ScrollPanel).show(transaction_log(log))
        if row is not None and row.summary is not None and row.result is None and not row.busy:
            # a partial, not a coroutine: a worker replaced before it starts leaves no
            # coroutine behind un-awaited (Textual calls it when the worker runs)
            load = cast(Any, functools.partial(self._load_result, row))
            self.run_worker(load, group="load", exclusive=True)

    async def _load_result(self, row: BenchmarkRow) -> None:
        """Fetch the full stored result of the row's last episode (off the UI thread)."""
        summary = row.summary
        if summary is None:
            return
        result = await asyncio.to_thread(self.session.store.get_episode, summary.execution_id)
        if row.summary is summary and result is not None:
            row.result = result
            if row is self.selected:
                self._show_panels()

    def _agent_changed(self) -> None:
        self.query_one(AgentBar).show(self.choices, self.agent_index)
        self.query_one("#model", Input).display = self.agent.wants_model
        self.message = ""
        for row in self.rows:
            row.set_summary(None)
        for i in range(len(self.rows)):
            self._refresh_row(i)
        self.run_worker(self._load_summaries(self.label), group="load", exclusive=True)

    async def _load_summaries(self, agent: str) -> None:
        """The agent's last stored episode of every benchmark (off the UI thread)."""
        ids = [row.benchmark_id for row in self.rows]
        try:
            found = await asyncio.to_thread(latest_episodes, self.session.store, agent, ids)
        except Exception as exc:
            self.say(f"cannot read the store: {exc}")
            return
        if agent != self.label:
            return
        for i, row in enumerate(self.rows):
            row.set_summary(found.get(row.benchmark_id))
            self._refresh_row(i)

    @on(Input.Changed, "#model")
    def _model_changed(self, _event: Input.Changed) -> None:
        """Another model is another leaderboard entry: show its stored results."""
        if not self.busy:
            self._agent_changed()

    @on(Input.Submitted, "#model")
    def _model_submitted(self, _event: Input.Submitted) -> None:
        self.query_one(Navigator).focus()

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_panels()

    # --- actions ----------------------------------------------------------------------

    def action_prev_agent(self) -> None:
        self._switch_agent(-1)

    def action_next_agent(self) -> None:
        self._switch_agent(+1)

    def _switch_agent(self, step: int) -> None:
        if self.busy:
            self.say("episodes are running: the agent changes when they finish")
            return
        self.agent_index = (self.agent_index + step) % len(self.choices)
        self._agent_changed()

    def action_toggle_log(self) -> None:
        log = self.query_one("#log", ScrollPanel)
        log.display = not log.display

    def action_toggle_theme(self) -> None:
        """Dark and light themes; ANSI colours follow the theme's dark or light palette."""
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def action_run_selected(self) -> None:
        row = self.selected
        if row is not None:
            self._run([row])

    def action_run_all(self) -> None:
        self._run(self.rows)

    def _agent_options(self) -> dict[str, Any] | None:
        """The agent's options, or None (and a message) when it cannot run: the session's
        RunSpec gains the agent (checked as `reev run` checks one) and builds it once."""
        choice = self.agent
        if not choice.runnable:
            self.say(f"{choice.name} {choice.missing}")
            return None
        options: dict[str, Any] = {}
        if choice.wants_model:
            model = self.query_one("#model", Input).value.strip()
            if not model:
                self.say(f"type a model name for {choice.name} first")
                return None
            options["model"] = model
        try:
            self.session.prepare(choice.name, options)
        except SpecError as exc:
            self.say(str(exc))
            return None
        return options

    def _run(self, rows: Sequence[BenchmarkRow]) -> None:
        if self._quitting:
            return
        todo = [row for row in rows if not row.busy]
        if not todo:
            self.say("already running")
            return
        options = self._agent_options()
        if options is None:
            return
        if not self.busy:
            self._batch_total = self._batch_done = 0
        self._batch_total += len(todo)
        self.message = ""
        for row in todo:
            row.status = "queued"
            row.problem = None
            self._refresh_row(self.rows.index(row))
            self.run_worker(
                self._episode(row, self.agent.name, options), group=EPISODES, exit_on_error=False
            )

    async def _episode(self, row: BenchmarkRow, agent: str, options: dict[str, Any]) -> None:
        """Wait for a slot, run the episode on the background loop, show the outcome."""
        assert self._gate is not None and self._episode_loop is not None
        index = self.rows.index(row)
        outcome: Outcome | None = None
        try:
            async with self._gate:
                row.status = "running"
                self._refresh_row(index)
                outcome = await self._episode_loop.run(
                    self.session.execute(row.loaded, agent, options)
                )
        except asyncio.CancelledError:
            self.session.cancelled += 1
            raise
        except Exception as exc:
            row.status = "error"
            row.problem = f"{type(exc).__name__}: {exc}"
        finally:
            if row.status in ("queued", "running"):
                row.status = "pending"
                row.set_summary(row.summary)
            if outcome is not None:
                row.summary = outcome.summary
                row.result = outcome.result
                row.problem = outcome.problem
                r = outcome.result
                row.status = status_of(r.status, r.passed, r.error_kind)
            self._batch_done += 1
            if not self._quitting:
                self._refresh_row(index)

    async def action_quit(self) -> None:
        """Cancel running episodes, wait until they have unwound, close the run, exit."""
        if self._quitting:
            return
        self._quitting = True
        running = [w for w in self.workers if w.group == EPISODES and not w.is_finished]
        if running:
            self.say(f"cancelling {len(running)} episode(s)…")
            self.workers.cancel_group(self, EPISODES)
            for worker in running:  # returns once the episode coroutine has unwound
                with contextlib.suppress(WorkerCancelled, WorkerFailed):
                    await worker.wait()
        await self._close_session()
        self.exit()

    async def _close_session(self) -> None:
        if self._episode_loop is not None:
            await self._episode_loop.aclose()
        try:
            await asyncio.to_thread(self.session.finish)
        except Exception as exc:  # the store went away: nothing left to record it in
            self.log.error(f"cannot close run {self.session.run_id}: {exc}")

    async def on_unmount(self) -> None:
        if self._episode_loop is not None:
            await self._episode_loop.aclose()
