"""reev as an Inspect task: Inspect's mock model, scripted with reev's reference tool
calls, drives real episodes (embedded VM, reev's harness and scorer) and must score
exactly as `reev run` does."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("inspect_ai", reason="needs the inspect extra: pip install 'reev[inspect]'")

from inspect_ai import Task
from inspect_ai import eval as inspect_eval
from inspect_ai import score as inspect_score
from inspect_ai.log import EvalLog, EvalSample
from inspect_ai.model import (
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageUser,
    GenerateConfig,
    Model,
    ModelOutput,
    ModelUsage,
    get_model,
)
from inspect_ai.solver._task_state import sample_state
from inspect_ai.tool import ToolChoice, ToolInfo

from reev.benchmark.model import Benchmark
from reev.bridges.inspect_task import reev_scorer, solana
from reev.bridges.selection import select_benchmarks
from reev.results.records import EpisodeResult
from reev.runner.suite import epoch_seed
from tests.bridges.reference_runs import BUNDLED, reev_run
from tests.bridges.scripts import Call, reference_answers, reference_script

MODEL = "mockllm/model"
Script = Callable[[Benchmark], list[list[Call]]]


def _output(output: ModelOutput) -> ModelOutput:
    # With usage given, the mock model does not count tokens (tiktoken would download).
    output.usage = ModelUsage(input_tokens=1, output_tokens=1, total_tokens=2)
    return output


def scripted_model(script: Script, seed: int = 0) -> Model:
    """Inspect's mock model answering each sample's steps with `script`'s tool calls:
    in step N (the N-th user turn) call N's tools in order, then answer as the reference
    does (its `answer`, else "done")."""
    benchmarks = {i.benchmark.id: i.benchmark for i in select_benchmarks(str(BUNDLED))}

    def generate(
        messages: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        state = sample_state()
        assert state is not None
        benchmark = benchmarks[str(state.sample_id)].instantiate(epoch_seed(seed, state.epoch - 1))
        users = [i for i, m in enumerate(messages) if isinstance(m, ChatMessageUser)]
        made = sum(isinstance(m, ChatMessageAssistant) for m in messages[users[-1] :])
        calls = script(benchmark)[len(users) - 1]
        if made < len(calls):
            name, args = calls[made]
            return _output(ModelOutput.for_tool_call(MODEL, name, args))
        return _output(
            ModelOutput.from_content(MODEL, reference_answers(benchmark)[len(users) - 1])
        )

    return get_model(MODEL, custom_outputs=generate)


def run_inspect(task: Task, model: Model, tmp_path: Path, **options: Any) -> EvalLog:
    [log] = inspect_eval(
        task, model=model, log_dir=str(tmp_path / "logs"), display="none", **options
    )
    return log


def samples(log: EvalLog) -> dict[str, EvalSample]:
    assert log.samples is not None
    return {str(s.id): s for s in log.samples}


def reev_profile_sample(expected: dict[str, EpisodeResult]) -> list[str]:
    """The benchmarks the `reev` profile is checked on: every one it scores partially
    (where the two profiles differ), the flows, and the first ten of the suite."""
    ids = list(expected)
    chosen = {i for i, r in expected.items() if 0 < r.score < 1 or len(r.steps) > 1}
    return [i for i in ids if i in chosen or i in ids[:10]]


@pytest.mark.parametrize("scoring", ["outcome", "reev"])
def test_reference_solutions_through_inspect_score_as_reev_run(
    scoring: str, tmp_path: Path
) -> None:
    """The default profile on the whole suite; the `reev` profile on the benchmarks where
    it can differ (the whole suite through it is checked by the MCP bridge's test)."""
    expected = reev_run(scoring)
    if scoring == "reev":
        wanted = reev_profile_sample(expected)
        assert any(0 < expected[i].score < 1 for i in wanted)  # partial scores are compared
        expected = {i: expected[i] for i in wanted}
        task = solana(scoring=scoring, ids=wanted)
    else:
        assert len(expected) == len(list(BUNDLED.glob("*.yml")))
        task = solana(scoring=scoring)
    log = run_inspect(task, scripted_model(reference_script), tmp_path)
    got = samples(log)
    assert log.status == "success"
    assert set(got) == set(expected)
    for bench_id, result in expected.items():
        sample = got[bench_id]
        assert sample.error is None, (bench_id, sample.error)
        assert sample.scores is not None
        score = sample.scores["reev_scorer"]
        assert score.value == {"score": result.score, "passed": float(result.passed)}, bench_id
        meta = score.metadata or {}
        assert meta["scores"] == result.scores.model_dump(), bench_id
        assert meta["status"] == result.status == "completed"


def test_flow_steps_are_successive_user_turns_of_one_sample(tmp_path: Path) -> None:
    log = run_inspect(
        solana(ids="300-flow-wrap-then-transfer"), scripted_model(reference_script), tmp_path
    )
    [sample] = log.samples or []
    users = [m.text for m in sample.messages if isinstance(m, ChatMessageUser)]
    assert [u.split(".")[0] for u in users] == ["Step 1 of 2", "Step 2 of 2"]
    tools = [
        c.function
        for m in sample.messages
        if isinstance(m, ChatMessageAssistant)
        for c in m.tool_calls or []
    ]
    assert tools == ["wrap_sol", "spl_transfer"]
    assert sample.scores is not None
    score = sample.scores["reev_scorer"]
    assert score.value == {"score": 1.0, "passed": 1.0}
    assert score.explanation is not None and "| 1 | 1.00 | yes |" in score.explanation
    assert (score.metadata or {})["flow"]["steps_passed"] == 2


def test_a_wrong_call_fails_with_the_assertion_table(tmp_path: Path) -> None:
    def wrong_amount(benchmark: Benchmark) -> list[list[Call]]:
        [[(name, args)]] = reference_script(benchmark)
        return [[(name, {**args, "amount": 50_000_000})]]  # 0.05 SOL instead of 0.1

    log = run_inspect(solana(ids="001-sol-transfer"), scripted_model(wrong_amount), tmp_path)
    [sample] = log.samples or []
    assert sample.scores is not None
    score = sample.scores["reev_scorer"]
    value = score.value
    assert isinstance(value, dict) and value["passed"] == 0.0 and value["score"] < 1.0
    assert score.explanation is not None
    row = next(r for r in score.explanation.splitlines() if r.startswith("| SolBalance |"))
    assert "| RECIPIENT_WALLET_PUBKEY |" in row and "| 50000000 |" in row and "| no" in row
    assert "failed" in score.explanation.splitlines()[0]


def test_epochs_run_with_reev_epoch_seeds(tmp_path: Path) -> None:
    log = run_inspect(
        solana(ids="600-param-sol-transfer", seed=7),
        scripted_model(reference_script, seed=7),
        tmp_path,
        epochs=2,
    )
    assert log.samples is not None and len(log.samples) == 2
    meta = [(s.scores or {})["reev_scorer"].metadata or {} for s in log.samples]
    by_epoch = {m["epoch"]: m for m in meta}
    assert {e: m["seed"] for e, m in by_epoch.items()} == {
        0: epoch_seed(7, 0),
        1: epoch_seed(7, 1),
    }
    assert all(m["passed"] for m in by_epoch.values())
    results = [s.store["reev_result"] for s in log.samples]
    assert results[0]["key_map"] != results[1]["key_map"]  # each epoch its own keys


def test_inspect_score_rescores_a_log_to_the_same_verdict(tmp_path: Path) -> None:
    log = run_inspect(
        solana(ids="003-spl-transfer-fail,001-sol-transfer"),
        scripted_model(reference_script),
        tmp_path,
    )
    rescored = inspect_score(log, reev_scorer(), display="none")
    before = {s.id: (s.scores or {})["reev_scorer"].value for s in log.samples or []}
    after = {s.id: (s.scores or {})["reev_scorer"].value for s in rescored.samples or []}
    assert before == after
    assert before["001-sol-transfer"] == {"score": 1.0, "passed": 1.0}


def test_an_unloadable_benchmark_is_a_sample_error_not_a_failure(tmp_path: Path) -> None:
    bad = tmp_path / "suite" / "bad.yml"
    bad.parent.mkdir()
    bad.write_text("id: bad\nprompt: [unclosed\n", encoding="utf-8")
    log = run_inspect(
        solana(benchmarks=str(bad.parent)),
        scripted_model(reference_script),
        tmp_path,
        fail_on_error=False,
    )
    [sample] = log.samples or []
    assert sample.error is not None and "bad" in sample.error.message
    assert not sample.scores  # an error is never scored as a failure


def test_task_parameters_select_benchmarks_and_reject_bad_values() -> None:
    task = solana(tags="flow")
    ids = [str(s.id) for s in task.dataset]
    assert ids and all(i.startswith("3") for i in ids)
    spec = (task.metadata or {})["reev_run_spec"]
    assert (spec["interface"], spec["seed"], spec["scoring"]) == ("inspect", 0, "outcome")
    with pytest.raises(ValueError, match="scoring must be one of"):
        solana(scoring="best")
    with pytest.raises(ValueError, match="step_timeout"):
        solana(step_timeout=0)
    with pytest.raises(ValueError, match="no benchmark with id nope"):
        solana(ids="nope")
    with pytest.raises(ValueError, match="has any of the tags"):
        solana(tags="no-such-tag")


def test_the_entry_point_resolves_reev_solana() -> None:
    from inspect_ai._eval.registry import task_create

    task = task_create("reev/solana", ids="001-sol-transfer")
    assert [s.id for s in task.dataset] == ["001-sol-transfer"]
