"""The cockpit driven by Textual's pilot: navigation, runs, the store, quitting mid-run."""

from __future__ import annotations

import asyncio
from pathlib import Path

from reev.agents.deterministic import DeterministicAgent
from reev.results.spec import RunSpec
from reev.runner.episode import run_episode
from reev.runner.suite import LoadedBenchmark
from reev.store.store import Store
from reev.tui.agents import AgentChoice
from reev.tui.app import ReevApp
from reev.tui.widgets import AgentBar, Navigator, ScrollPanel
from tests.tui.conftest import Probe, make_app, settle


def cell(app: ReevApp, row: int, column: str) -> str:
    return str(app.query_one(Navigator).get_cell(str(row), column))


def panel_text(app: ReevApp, panel: str) -> str:
    return str(app.query_one(f"#{panel}", ScrollPanel).body.render())


def counts(app: ReevApp) -> str:
    """The navigator's footer as plain text (the border subtitle is kept as markup)."""
    from textual.content import Content

    return Content.from_markup(str(app.query_one(Navigator).border_subtitle)).plain


def message(app: ReevApp) -> str:
    return str(app.query_one("#message").render())


def test_navigation_keys_move_and_change_agent(loaded: list[LoadedBenchmark], store: Store) -> None:
    async def scenario() -> None:
        app = make_app(loaded, store)
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(app, pilot)
            nav = app.query_one(Navigator)
            assert app.focused is nav
            assert [cell(app, i, "benchmark") for i in range(3)] == [
                "001-sol-transfer",
                "002-spl-transfer",
                "003-spl-transfer-fail",
            ]
            assert "001-sol-transfer: not run yet" in panel_text(app, "trace")
            await pilot.press("j")
            assert nav.cursor_row == 1
            assert "002-spl-transfer: not run yet" in panel_text(app, "trace")
            await pilot.press("down")
            assert nav.cursor_row == 2
            await pilot.press("k")
            await pilot.press("up")
            assert nav.cursor_row == 0
            assert app.agent.name == "deterministic"
            await pilot.press("right")
            assert app.agent.name == "overlap"
            await pilot.press("left", "left")
            assert app.agent.name == "glm-4.6"  # wraps around
            assert "needs $ZAI_API_KEY" in str(app.query_one(AgentBar).render())
            # a greyed agent cannot run: nothing starts, the reason is shown
            await pilot.press("r")
            await settle(app, pilot)
            assert "glm-4.6 needs $ZAI_API_KEY" in message(app)
            assert cell(app, 0, "status") == "[ ]"
            assert store.count_episodes() == 0

    asyncio.run(scenario())


def test_tab_cycles_panels_and_l_toggles_the_log(
    loaded: list[LoadedBenchmark], store: Store
) -> None:
    async def scenario() -> None:
        app = make_app(loaded, store)
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(app, pilot)
            trace = app.query_one("#trace", ScrollPanel)
            log = app.query_one("#log", ScrollPanel)
            await pilot.press("tab")
            assert app.focused is trace
            await pilot.press("tab")
            assert app.focused is log
            await pilot.press("tab")
            assert app.focused is app.query_one(Navigator)
            await pilot.press("l")
            assert not log.display
            await pilot.press("l")
            assert log.display
            dark = app.current_theme.dark
            await pilot.press("t")
            assert app.current_theme.dark is not dark

    asyncio.run(scenario())


def test_run_one_benchmark_shows_its_score_and_stores_it(
    loaded: list[LoadedBenchmark], store: Store
) -> None:
    async def scenario() -> None:
        app = make_app(loaded, store)
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("j", "enter")
            await settle(app, pilot)
            assert cell(app, 1, "score") == "100%"
            assert cell(app, 1, "status") == "[✔]"
            assert cell(app, 0, "status") == "[ ]"  # only the selected one ran
            trace = panel_text(app, "trace")
            assert "002-spl-transfer (Score: 100.0%): passed" in trace
            assert "OBSERVATION: Success" in trace
            log = panel_text(app, "log")
            assert "Step 1 · transaction 1: success" in log
            assert "Program TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA" in log
            await pilot.press("q")
        episodes = store.list_episodes()
        assert [(e.benchmark_id, e.agent, e.passed) for e in episodes] == [
            ("002-spl-transfer", "deterministic", True)
        ]
        run = store.get_run(episodes[0].run_id)
        assert run is not None and run.id.startswith("tui-")
        assert run.status == "completed"
        spec = RunSpec.from_stored(run.config)
        assert spec is not None and spec.interface == "tui"
        assert [a.label for a in spec.agents] == ["deterministic"]
        assert episodes[0].benchmark_version_id is not None

    asyncio.run(scenario())


def test_run_all_respects_the_concurrency_limit(
    loaded: list[LoadedBenchmark], store: Store, probe: Probe, bundled: Path
) -> None:
    from reev.runner.suite import load_all

    four = [*loaded, *load_all([bundled / "004-partial-score-spl-transfer.yml"])]

    async def scenario() -> None:
        app = make_app(four, store, concurrency=2, agent="overlap")
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("a")
            await settle(app, pilot)
            assert [cell(app, i, "status") for i in range(4)] == ["[✔]"] * 4
            assert [cell(app, i, "score") for i in range(4)] == ["100%"] * 4
            assert "done 4/4" in message(app)
        assert probe.max_active == 2
        assert store.count_episodes() == 4
        assert {e.agent for e in store.list_episodes()} == {"overlap"}

    asyncio.run(scenario())


def test_quit_while_running_cancels_episodes_cleanly(
    loaded: list[LoadedBenchmark], store: Store, probe: Probe
) -> None:
    async def scenario() -> ReevApp:
        app = make_app(loaded, store, concurrency=2)
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(app, pilot)
            await pilot.press("r")  # deterministic 001: a finished result, creates the run
            await settle(app, pilot)
            assert cell(app, 0, "status") == "[✔]"
            await pilot.press("right", "right")
            assert app.agent.name == "stuck"
            await pilot.press("a")
            for _ in range(500):
                await pilot.pause(0.01)
                if len(probe.started) == 2:
                    break
            assert sorted(probe.started) == ["001-sol-transfer", "002-spl-transfer"]
            assert [r.status for r in app.rows] == ["running", "running", "queued"]
            assert "Benchmark 001-sol-transfer is running" in panel_text(app, "trace")
            # the UI still answers while episodes run
            await pilot.press("l")
            assert not app.query_one("#log").display
            await pilot.press("left")
            assert app.agent.name == "stuck"
            assert "episodes are running" in message(app)
            await pilot.press("escape")
            await pilot.pause()
        return app

    app = asyncio.run(scenario())
    assert sorted(probe.cancelled) == ["001-sol-transfer", "002-spl-transfer"]
    assert app._episode_loop is not None and app._episode_loop.active == 0
    episodes = store.list_episodes()
    assert [(e.benchmark_id, e.agent) for e in episodes] == [("001-sol-transfer", "deterministic")]
    run = store.get_run(episodes[0].run_id)
    assert run is not None and run.status == "interrupted"


def test_stored_results_from_other_interfaces_are_shown(
    loaded: list[LoadedBenchmark], store: Store
) -> None:
    benchmark = loaded[2].benchmark
    assert benchmark is not None
    older = asyncio.run(run_episode(benchmark, DeterministicAgent(), scoring="reev"))
    store.create_run("cli-run")
    store.record_episode("cli-run", older)
    newer = asyncio.run(run_episode(benchmark, DeterministicAgent(), scoring="outcome"))
    store.create_run("later-run")
    store.record_episode("later-run", newer)

    async def scenario() -> None:
        app = make_app(loaded, store)
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(app, pilot)
            assert cell(app, 2, "status") == "[✔]"
            assert cell(app, 2, "score") == f"{newer.score * 100:>3.0f}%"
            assert cell(app, 0, "score") == " ---"
            await pilot.press("j", "j")
            await settle(app, pilot)
            assert "003-spl-transfer-fail (Score: 100.0%): passed  [deterministic, outcome]" in (
                panel_text(app, "trace")
            )
            await pilot.press("right")  # another agent: nothing stored for it
            await settle(app, pilot)
            assert cell(app, 2, "score") == " ---"
            assert cell(app, 2, "status") == "[ ]"

    asyncio.run(scenario())


def test_openai_model_field_selects_the_stored_label(
    loaded: list[LoadedBenchmark], store: Store
) -> None:
    """`reev run --agent openai:m1` stores `openai:m1`; typing m1 in the field shows it."""
    from reev.tui.agents import AgentChoice

    benchmark = loaded[0].benchmark
    assert benchmark is not None
    result = asyncio.run(run_episode(benchmark, DeterministicAgent()))
    result.agent = "openai:m1"
    store.create_run("cli")
    store.record_episode("cli", result)
    agents = [AgentChoice("deterministic", "ref"), AgentChoice("openai", "llm")]

    async def scenario() -> None:
        app = make_app(loaded, store, agents=agents, agent="openai")
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(app, pilot)
            model = app.query_one("#model")
            assert model.display
            assert cell(app, 0, "score") == " ---"
            await pilot.press("r")  # no model typed: refused, nothing runs
            await settle(app, pilot)
            assert "type a model name for openai" in message(app)
            model.focus()
            await pilot.press("m", "1", "enter")
            await settle(app, pilot)
            assert app.label == "openai:m1"
            assert app.focused is app.query_one(Navigator)
            assert cell(app, 0, "score") == "100%"
            await pilot.press("left")
            assert not model.display

    asyncio.run(scenario())


def test_eighty_columns_keep_benchmark_ids_whole(bundled: Path, store: Store) -> None:
    """At 80 × 24 the navigator shows every benchmark id in full (the longest shipped id
    included), its score and status; below 110 columns the navigator sits above the trace
    and the log, so both are the full width (beside each other from 110 up)."""
    from reev.runner.suite import load_all

    longest = max((p for p in bundled.glob("*.yml")), key=lambda p: len(p.stem))
    loaded = load_all([bundled / "001-sol-transfer.yml", longest])

    async def scenario() -> None:
        app = make_app(loaded, store)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            await pilot.press("a")
            await settle(app, pilot)
            screen = app.export_screenshot()
            assert longest.stem in screen
            assert "001-sol-transfer" in screen
            assert cell(app, 1, "score").strip() == "100%"
            # stacked: the navigator above, the trace and the log below, each full width
            assert app.query_one("#main").has_class("stacked")
            assert app.query_one("#trace").size.width >= 76
            assert app.query_one("#nav").size.width >= 76
            assert "passed 2 · failed 0 · error 0 · infra 0" in counts(app)
        wide = make_app(loaded, store)
        async with wide.run_test(size=(160, 40)) as pilot:
            await settle(wide, pilot)
            assert not wide.query_one("#main").has_class("stacked")

    asyncio.run(scenario())


def test_the_selected_agent_tab_stays_visible_at_eighty_columns(
    loaded: list[LoadedBenchmark], store: Store
) -> None:
    """Many agents and the model field do not fit 80 columns: the leading tabs give way
    to `…`, so the selected agent is always on screen."""
    agents = [AgentChoice(name, "x") for name in ("deterministic", "null", "junk", "replay")]
    agents += [
        AgentChoice("glm-4.6", "x", missing="needs $ZAI_API_KEY"),
        AgentChoice("openai", "x"),
    ]

    async def scenario() -> None:
        app = make_app(loaded, store, agents=agents, agent="openai")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            bar = str(app.query_one(AgentBar).render())
            assert " openai " in bar and bar.startswith("Agent: … │")
            assert app.query_one(AgentBar).size.width < len(
                "Agent: " + " │ ".join(f" {a.name} " for a in agents)
            )
            await pilot.press("right")  # wraps to the first agent: nothing dropped
            await settle(app, pilot)
            bar = str(app.query_one(AgentBar).render())
            assert bar.startswith("Agent:  deterministic ")

    asyncio.run(scenario())


def test_errors_and_infrastructure_errors_are_not_failures(
    loaded: list[LoadedBenchmark], store: Store, broken_agents: list[AgentChoice]
) -> None:
    """Stored and fresh episodes that did not run to their end read `error` / `infra`
    (never a red 0 % or `[✗]`), the trace names the outcome and the reason, and the
    navigator counts them apart from failures — as the web does."""
    from reev.results.errors import INFRASTRUCTURE, error_result

    b0, b1, b2 = (item.benchmark for item in loaded)
    assert b0 is not None and b1 is not None and b2 is not None
    store.create_run("cli")
    passed = asyncio.run(run_episode(b0, DeterministicAgent()))
    store.record_episode("cli", passed)
    store.record_episode(
        "cli", error_result(b1.id, "deterministic", 0, "endpoint refused the connection")
    )
    store.record_episode(
        "cli",
        error_result(b2.id, "deterministic", 0, "provider 503 after retries", kind=INFRASTRUCTURE),
    )

    async def scenario() -> None:
        app = make_app(loaded, store, agents=broken_agents)
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(app, pilot)
            assert [cell(app, i, "score").strip() for i in range(3)] == ["100%", "error", "infra"]
            assert [cell(app, i, "status") for i in range(3)] == ["[✔]", "[!]", "[~]"]
            assert counts(app) == "passed 1 · failed 0 · error 1 · infra 1"
            await pilot.press("j")
            await settle(app, pilot)
            trace = panel_text(app, "trace")
            assert "002-spl-transfer (no score): error" in trace
            assert "endpoint refused the connection" in trace
            assert "Score: 0.0%" not in trace and "failed" not in trace
            await pilot.press("j")
            await settle(app, pilot)
            trace = panel_text(app, "trace")
            assert "003-spl-transfer-fail (no score): infrastructure error" in trace
            assert "provider 503 after retries" in trace
            # fresh runs: an agent that crashes, then one whose provider is down
            await pilot.press("right")
            await settle(app, pilot)
            assert app.agent.name == "crashing"
            await pilot.press("k", "k", "r")
            await settle(app, pilot)
            assert cell(app, 0, "score").strip() == "error"
            assert cell(app, 0, "status") == "[!]"
            assert "001-sol-transfer (no score): error" in panel_text(app, "trace")
            assert "the agent's own bug" in panel_text(app, "trace")
            assert counts(app) == "passed 0 · failed 0 · error 1 · infra 0"
            await pilot.press("right")
            await settle(app, pilot)
            assert app.agent.name == "outage"
            await pilot.press("r")
            await settle(app, pilot)
            assert cell(app, 0, "score").strip() == "infra"
            assert cell(app, 0, "status") == "[~]"
            trace = panel_text(app, "trace")
            assert "001-sol-transfer (no score): infrastructure error" in trace
            assert "provider answered 503 after 3 retries" in trace
            await pilot.press("q")
        stored = {(e.agent, e.benchmark_id): e for e in store.list_episodes()}
        assert stored[("crashing", b0.id)].status == "error"
        assert stored[("crashing", b0.id)].error_kind is None
        assert stored[("outage", b0.id)].error_kind == INFRASTRUCTURE

    asyncio.run(scenario())


def test_failures_stay_failures_and_read_as_such(
    loaded: list[LoadedBenchmark], store: Store
) -> None:
    """The other side of the line: an episode that ran to its end and did not pass is
    `[✗]` with its score, and counted as failed (not as an error)."""
    from reev.agents.controls import NullAgent

    b0 = loaded[0].benchmark
    assert b0 is not None
    store.create_run("cli")
    store.record_episode("cli", asyncio.run(run_episode(b0, NullAgent())))
    stored = store.list_episodes()
    assert stored[0].status != "error" and not stored[0].passed
    agents = [AgentChoice("null", "control")]

    async def check() -> None:
        app = make_app(loaded, store, agents=agents)
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(app, pilot)
            assert cell(app, 0, "status") == "[✗]"
            assert cell(app, 0, "score") == f"{stored[0].score * 100:>3.0f}%"
            assert counts(app) == "passed 0 · failed 1 · error 0 · infra 0"
            assert "001-sol-transfer (Score: " in panel_text(app, "trace")
            assert "): failed" in panel_text(app, "trace")

    asyncio.run(check())
