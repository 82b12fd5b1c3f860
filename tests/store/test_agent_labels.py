"""One agent label `NAME[:MODEL]` whichever interface stored the episode."""

from __future__ import annotations

from reev.api.leaderboard import leaderboard
from reev.results.records import EpisodeResult
from reev.store import Store
from reev.store.api_queries import agent_performance, count_episodes
from reev.store.labels import agent_label
from reev.store.tui_queries import latest_episodes


def _episode(base: EpisodeResult, agent: str, model: str | None, eid: str) -> EpisodeResult:
    return base.model_copy(update={"agent": agent, "model": model, "execution_id": eid})


def test_cli_api_and_model_flag_forms_are_one_label_and_models_stay_apart(
    store: Store, suite_results: list[EpisodeResult]
) -> None:
    base = suite_results[0]
    store.create_run("cli", {})
    store.create_run("api", {})
    # reev run --agent openai:m1 (label as written, model recorded by the agent)
    store.record_episodes("cli", [_episode(base, "openai:m1", "m1", "e1")])
    # the API / web form: agent `openai` plus a model field; a second model; no model
    store.record_episodes(
        "api",
        [
            _episode(base, "openai", "m1", "e2"),
            _episode(base.model_copy(update={"epoch": 1}), "openai", "m2", "e3"),
            _episode(base.model_copy(update={"epoch": 2}), "deterministic", None, "e4"),
        ],
    )
    labels = sorted({e.agent for e in store.list_episodes()})
    assert labels == ["deterministic", "openai:m1", "openai:m2"]
    assert {e.execution_id for e in store.list_episodes(agent="openai:m1")} == {"e1", "e2"}
    assert count_episodes(store, agent="openai:m1") == 2
    assert count_episodes(store, agent="openai") == 0
    assert store.get_run("api") is not None
    assert store.get_run("api").agents == ["deterministic", "openai:m1", "openai:m2"]  # type: ignore[union-attr]
    rows = leaderboard(store.list_episodes())
    assert sorted(r["agent"] for r in rows) == labels
    assert {p["agent_type"]: p["total_benchmarks"] for p in agent_performance(store)} == {
        "deterministic": 1,
        "openai:m1": 2,
        "openai:m2": 1,
    }
    assert set(latest_episodes(store, "openai:m1")) == {base.benchmark_id}
    # the Python rule and the SQL expression agree
    for e in store.list_episodes():
        raw = store.get_episode(e.execution_id)
        assert raw is not None
        assert agent_label(raw.agent, raw.model) == e.agent
