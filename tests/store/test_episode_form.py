"""One stored form of an episode: the `episodes` row, model calls stored once each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select

from reev.results.records import EpisodeResult, ModelCallRecord, StepRecord
from reev.store import open_store
from reev.store.models import Episode


def _conversation_result(turns: int) -> EpisodeResult:
    messages: list[dict[str, Any]] = [{"role": "system", "content": "s"}]
    calls = []
    for turn in range(1, turns + 1):
        messages.append({"role": "user" if turn == 1 else "tool", "content": f"m{turn}"})
        out = {"role": "assistant", "content": f"a{turn}"}
        calls.append(
            ModelCallRecord(turn=turn, model="m", messages_in=list(messages), message_out=out)
        )
        messages.append(out)
    return EpisodeResult(
        benchmark_id="b",
        agent="openai",
        model="m",
        seed=0,
        execution_id="e1",
        status="completed",
        steps=[StepRecord(step=1, prompt="p", model_calls=calls)],
    )


def test_model_calls_are_stored_once_and_read_back_whole(tmp_path: Path) -> None:
    result = _conversation_result(turns=20)
    with open_store(str(tmp_path / "r.db")) as store:
        store.create_run("r")
        store.record_episode("r", result)
        with store.engine.connect() as conn:
            raw = conn.execute(select(Episode.result_json)).scalar_one()
            tables = set(inspect(conn).get_table_names())
        stored = [m for c in raw["steps"][0]["model_calls"] for m in c["messages_in"]]
        full = [m for c in result.steps[0].model_calls for m in c.messages_in]
        # 20 turns send 1 + 2*20 - 1 distinct messages; the full form holds 2+4+…+40 = 420
        assert len(stored) == 40 and len(full) == 420
        assert raw["steps"][0]["model_calls"][5]["messages_in_reused"] == 10
        back = store.get_episode("e1")
        assert back is not None and back.model_dump() == result.model_dump()
        assert next(iter(store.iter_results_json("r"))) == result.to_json_dict()
        assert not tables & {"steps", "transactions", "tool_calls", "model_calls"}


def test_an_episode_stored_in_the_old_full_form_reads_as_before(tmp_path: Path) -> None:
    result = _conversation_result(turns=3)
    with open_store(str(tmp_path / "r.db")) as store:
        store.create_run("r")
        store.record_episode("r", result)
        with store.engine.begin() as conn:  # what rows written before the delta form hold
            conn.execute(Episode.__table__.update().values(result_json=result.to_json_dict()))
        back = store.get_episode("e1")
        assert back is not None and back.model_dump() == result.model_dump()


def test_calls_without_usage_are_counted_apart_not_as_zero_tokens(tmp_path: Path) -> None:
    from reev.scoring.report import build_report, tokens_cell

    result = _conversation_result(turns=3)
    metered = result.steps[0].model_calls[0]
    metered.prompt_tokens, metered.completion_tokens = 120, 8  # the others reported none
    assert result.unmetered_calls == 2
    with open_store(str(tmp_path / "r.db")) as store:
        store.create_run("r")
        store.record_episode("r", result)
        (row,) = store.list_episodes(run_id="r")
    assert (row.prompt_tokens, row.completion_tokens, row.unmetered_calls) == (120, 8, 2)
    (stats,) = build_report([row], resamples=10).agents
    assert stats.unmetered_calls == 2
    assert tokens_cell(stats) == "120/8 (+2 calls unmetered)"
