"""The TUI's parts without the screen: agent tabs, the latest-episode query, rendering,
the background loop, and the `reev tui` command's argument errors."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reev.agents.deterministic import DeterministicAgent
from reev.cli.app import app as cli
from reev.runner.episode import run_episode
from reev.runner.suite import LoadedBenchmark
from reev.store.store import Store
from reev.store.tui_queries import latest_episodes
from reev.tui.agents import agent_choices
from reev.tui.background import BackgroundLoop
from reev.tui.render import score_text, unwrapped
from reev.tui.session import agent_label


def test_agents_without_their_key_are_greyed_with_the_reason() -> None:
    bare = {c.name: c for c in agent_choices({})}
    assert bare["deterministic"].runnable
    assert bare["glm-4.6"].missing == "needs $ZAI_API_KEY"
    assert bare["glm-4.6-coding"].missing == "needs $GLM_CODING_API_KEY"
    assert bare["openai"].missing == "needs $OPENAI_API_KEY"
    assert bare["local"].runnable  # its key is optional
    assert not bare["replay"].runnable  # needs a predictions file
    keyed = {c.name: c for c in agent_choices({"ZAI_API_KEY": "k", "OPENAI_API_KEY": "k"})}
    assert keyed["glm-4.6"].runnable and keyed["openai"].runnable
    assert not keyed["glm-4.6-coding"].runnable
    assert keyed["openai"].wants_model and not keyed["glm-4.6"].wants_model


def test_agent_labels_match_reev_run() -> None:
    assert agent_label("deterministic", {}) == "deterministic"
    assert agent_label("openai", {"model": "gpt-4o-mini"}) == "openai:gpt-4o-mini"
    assert agent_label("openai", {"model": ""}) == "openai"


def test_latest_episodes_picks_the_newest_per_benchmark_and_agent(
    loaded: list[LoadedBenchmark], store: Store
) -> None:
    b1, b2 = loaded[0].benchmark, loaded[1].benchmark
    assert b1 is not None and b2 is not None
    first = asyncio.run(run_episode(b1, DeterministicAgent()))
    store.create_run("a")
    store.record_episode("a", first)
    again = asyncio.run(run_episode(b1, DeterministicAgent(), scoring="reev"))
    other = asyncio.run(run_episode(b2, DeterministicAgent()))
    store.create_run("b")
    store.record_episodes("b", [again, other])
    found = latest_episodes(store, "deterministic")
    assert set(found) == {b1.id, b2.id}
    assert found[b1.id].execution_id == again.execution_id
    assert found[b1.id].scoring == "reev"
    assert set(latest_episodes(store, "deterministic", [b2.id])) == {b2.id}
    assert latest_episodes(store, "null") == {}


def test_scores_are_coloured_by_reevs_bands() -> None:
    assert score_text(None).plain == " ---"
    assert (score_text(1.0).plain, str(score_text(1.0).style)) == ("100%", "bold green")
    assert str(score_text(0.5).style) == "bold yellow"
    assert str(score_text(0.1).style) == "bold red"


def test_unwrapped_keeps_long_lines_whole() -> None:
    long = "x" * 300
    text = unwrapped(f"{long}\nshort")
    assert text.plain.split("\n") == [long, "short"]


def test_background_loop_cancels_a_running_coroutine_when_the_caller_is_cancelled() -> None:
    loop = BackgroundLoop()
    seen: list[str] = []

    async def forever() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            seen.append("cancelled")
            raise

    async def caller() -> None:
        task = asyncio.create_task(loop.run(forever()))
        while loop.active == 0:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    async def value() -> int:
        return 42

    async def main() -> int:
        await caller()
        return await loop.run(value())

    assert asyncio.run(main()) == 42
    loop.close()
    assert seen == ["cancelled"]
    assert loop.active == 0


def test_cli_rejects_missing_files_bad_agents_and_bad_scoring(tmp_path: Path) -> None:
    runner = CliRunner()
    db = f"sqlite:///{tmp_path / 'r.db'}"
    result = runner.invoke(cli, ["tui", str(tmp_path / "nothing"), "--db", db])
    assert result.exit_code == 2
    assert "no such file or directory" in result.output
    (tmp_path / "empty").mkdir()
    result = runner.invoke(cli, ["tui", str(tmp_path / "empty"), "--db", db])
    assert result.exit_code == 2
    assert "no benchmark files found" in result.output
    bundled = str(Path(__file__).resolve().parents[2] / "benchmarks")
    result = runner.invoke(cli, ["tui", bundled, "--db", db, "--agent", "gpt-9"])
    assert result.exit_code == 2
    assert "unknown agent 'gpt-9'" in result.output
    result = runner.invoke(cli, ["tui", bundled, "--db", db, "--scoring", "vibes"])
    assert result.exit_code == 2
    result = runner.invoke(cli, ["tui", "--help"])
    assert result.exit_code == 0 and "--concurrency" in result.output
