"""The Store API on SQLite: runs, episodes, normalized rows, benchmark versions, URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from reev.results.records import EpisodeResult, ModelCallRecord
from reev.runner.suite import LoadedBenchmark
from reev.store import Store, StoreError, content_hash, open_store, resolve_url
from reev.store.engine import default_database_url


def _versions(store: Store, loaded: list[LoadedBenchmark]) -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for item in loaded:
        assert item.benchmark is not None
        out[item.benchmark.id] = store.record_benchmark(
            item.benchmark.id, item.path.read_text(encoding="utf-8"), source_path=str(item.path)
        )
    return out


def test_results_round_trip(
    store: Store, suite_results: list[EpisodeResult], loaded_suite: list[LoadedBenchmark]
) -> None:
    store.create_run("r1", {"agents": ["deterministic"]})
    store.record_episodes("r1", suite_results, benchmark_versions=_versions(store, loaded_suite))
    run = store.get_run("r1")
    assert run is not None
    assert run.episodes == len(suite_results)
    assert run.passed == sum(r.passed for r in suite_results)
    assert run.agents == ["deterministic"]
    for result in suite_results:
        assert store.get_episode_json(result.execution_id) == result.to_json_dict()
        back = store.get_episode(result.execution_id)
        assert back is not None and back.score == result.score
    summaries = store.list_episodes(run_id="r1")
    assert [s.benchmark_id for s in summaries] == sorted(r.benchmark_id for r in suite_results)
    assert all(s.benchmark_version_id is not None for s in summaries)
    assert all(s.started_at.tzinfo is not None for s in summaries)


def test_one_stored_form_gives_back_steps_transactions_and_tool_calls(
    store: Store, suite_results: list[EpisodeResult]
) -> None:
    store.create_run("r1")
    store.record_episodes("r1", suite_results)
    result = suite_results[0]
    back = store.get_episode(result.execution_id)
    assert back is not None
    assert [s.step for s in back.steps] == [s.step for s in result.steps]
    txs = [tx for s in result.steps for tx in s.transactions]
    assert [t.signature for s in back.steps for t in s.transactions] == [t.signature for t in txs]
    calls = [c for s in result.steps for c in s.tool_calls]
    assert [c.tool for s in back.steps for c in s.tool_calls] == [c.tool for c in calls]


CALLS = [
    ModelCallRecord(turn=1, model="m1", prompt_tokens=100, completion_tokens=20, cost_usd=0.5),
    ModelCallRecord(turn=2, model="m1", prompt_tokens=7, completion_tokens=3, latency_ms=9),
]


def test_model_calls_are_summed_from_step_records(
    store: Store, suite_results: list[EpisodeResult]
) -> None:
    result = suite_results[0].model_copy(deep=True)
    result.steps[0].model_calls = list(CALLS)
    store.create_run("r1")
    store.record_episodes("r1", [result])
    (summary,) = store.list_episodes(run_id="r1")
    assert (summary.prompt_tokens, summary.completion_tokens) == (107, 23)
    assert summary.cost_usd == pytest.approx(0.5)
    stored = store.get_episode_json(result.execution_id)
    assert stored is not None
    assert stored["steps"][0]["model_calls"] == [c.model_dump(mode="json") for c in CALLS]
    assert stored == result.to_json_dict()


def test_rerecording_replaces_and_counts_attempts(
    store: Store, suite_results: list[EpisodeResult]
) -> None:
    store.create_run("r1")
    first = suite_results[0]
    store.record_episode("r1", first)
    retry = first.model_copy(update={"execution_id": "retry-1"})
    store.record_episode("r1", retry)
    (only,) = store.list_episodes(run_id="r1")
    assert only.execution_id == "retry-1"
    assert only.attempt == 2
    assert store.get_episode(first.execution_id) is None
    assert store.count_episodes("r1") == 1


def test_benchmark_versions_follow_the_text(store: Store) -> None:
    v1 = store.record_benchmark("b", "text one")
    assert store.record_benchmark("b", "text one") == v1
    v2 = store.record_benchmark("b", "text two")
    assert v2 != v1
    versions = store.list_benchmark_versions("b")
    assert [v.content_hash for v in versions] == [
        content_hash("text one"),
        content_hash("text two"),
    ]
    got = store.get_benchmark_version(v1)
    assert got is not None and got.content == "text one"


def test_run_lifecycle_and_delete(store: Store, suite_results: list[EpisodeResult]) -> None:
    store.create_run("r1", {"epochs": 1})
    store.record_episodes("r1", suite_results)
    store.set_run_status("r1", "interrupted")
    run = store.get_run("r1")
    assert run is not None and run.status == "interrupted" and run.finished_at is not None
    again = store.create_run("r1", {"epochs": 2})
    assert again.status == "running"
    assert again.config["epochs"] == 1
    assert again.config["resumes"][0]["config"] == {"epochs": 2}
    with pytest.raises(ValueError):
        store.set_run_status("r1", "bogus")
    assert store.delete_run("r1") is True
    assert store.get_run("r1") is None
    assert store.count_episodes() == 0
    assert store.delete_run("r1") is False


def test_list_filters_and_paging(store: Store, suite_results: list[EpisodeResult]) -> None:
    store.create_run("r1")
    store.record_episodes("r1", suite_results)
    ids = [e.benchmark_id for e in store.list_episodes(run_id="r1")]
    assert [e.benchmark_id for e in store.list_episodes(run_id="r1", limit=2, offset=1)] == ids[1:3]
    one = ids[0]
    assert [e.benchmark_id for e in store.list_episodes(benchmark_id=one)] == [one]
    assert store.list_episodes(agent="nobody") == []
    assert store.list_episodes(status="error") == [
        e for e in store.list_episodes() if e.status == "error"
    ]
    assert [d["benchmark_id"] for d in store.iter_results_json("r1", batch=3)] == ids


def test_url_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REEV_DATABASE_URL", raising=False)
    monkeypatch.setenv("REEV_HOME", str(tmp_path / "home"))
    assert default_database_url() == f"sqlite:///{tmp_path / 'home' / 'reev.db'}"
    monkeypatch.setenv("REEV_DATABASE_URL", "sqlite:///x.db")
    assert resolve_url(None) == "sqlite:///x.db"
    assert resolve_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert resolve_url(str(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"


def test_bad_url_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="cannot use database nosuchdialect"):
        open_store("nosuchdialect://x/y")


def test_in_memory_store_works() -> None:
    with open_store("sqlite://") as store:
        store.create_run("m")
        assert store.get_run("m") is not None
