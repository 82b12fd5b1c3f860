"""`reev rescore`: stored episodes scored again from their records, with no agent run."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from typer.testing import CliRunner

from reev.cli.app import app
from reev.scoring.version import SCORER_VERSION
from reev.store import open_store
from reev.store.models import Episode

ROOT = Path(__file__).resolve().parents[2]
SINGLE = [str(ROOT / "benchmarks" / n) for n in ("001-sol-transfer.yml", "002-spl-transfer.yml")]
FLOW = str(ROOT / "benchmarks" / "300-flow-wrap-then-transfer.yml")
REPORT_FLOW = str(ROOT / "benchmarks" / "301-flow-transfer-then-report.yml")
ANSWER = str(ROOT / "benchmarks" / "850-answer-sol-balance.yml")
runner = CliRunner()


def _run(db: str, *paths: str, extra: list[str] | None = None) -> None:
    args = ["run", *paths, "--db", db, "-q", "--no-session-files", "--no-progress"]
    args += ["--agent", "deterministic", "--agent", "null", "--run-id", "r", *(extra or [])]
    out = runner.invoke(app, args)
    assert out.exit_code == 0, out.output


def test_rescore_gives_back_the_scorer_s_numbers_and_stamps_its_version(tmp_path: Path) -> None:
    db = str(tmp_path / "reev.db")
    _run(db, *SINGLE)
    with open_store(db) as store:
        original = {s.execution_id: (s.score, s.passed) for s in store.list_episodes(run_id="r")}
        assert len(original) == 4 and {p for _, p in original.values()} == {True, False}
        victim = next(e for e, (_, passed) in original.items() if passed)
        with store.engine.begin() as conn:  # what an older scorer might have stored
            raw = conn.execute(
                select(Episode.result_json).where(Episode.execution_id == victim)
            ).scalar_one()
            old = {**raw, "score": 0.25, "passed": False, "scorer_version": "0"}
            conn.execute(
                update(Episode)
                .where(Episode.execution_id == victim)
                .values(score=0.25, passed=False, scorer_version="0", result_json=old)
            )
    out = runner.invoke(app, ["rescore", "r", "--db", db])
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert "rescored 4 episodes" in text and "1 changed verdict" in text
    assert f"1 from scorer 0, 3 from scorer {SCORER_VERSION}" in text
    with open_store(db) as store:
        summaries = store.list_episodes(run_id="r")
        assert {s.execution_id: (s.score, s.passed) for s in summaries} == original
        stored = [store.get_episode(s.execution_id) for s in summaries]
        assert {r.scorer_version for r in stored if r is not None} == {SCORER_VERSION}


def _stored(db: str, run_id: str = "r") -> dict[str, dict[str, Any]]:
    with open_store(db) as store:
        return {
            s.execution_id: store.get_episode_json(s.execution_id) or {}
            for s in store.list_episodes(run_id=run_id)
        }


def _tamper(db: str, execution_id: str, change: Callable[[dict[str, Any]], None]) -> None:
    """Rewrite one stored record, as an older scorer or an older reev might have left it."""
    with open_store(db) as store, store.engine.begin() as conn:
        raw = conn.execute(
            select(Episode.result_json).where(Episode.execution_id == execution_id)
        ).scalar_one()
        data = copy.deepcopy(raw)
        change(data)
        conn.execute(
            update(Episode)
            .where(Episode.execution_id == execution_id)
            .values(
                score=data["score"],
                passed=data["passed"],
                scorer_version=data["scorer_version"],
                result_json=data,
            )
        )


def test_the_same_scorer_gives_back_every_record_flows_answers_and_side_effects(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "reev.db")
    _run(db, *SINGLE, FLOW, REPORT_FLOW, ANSWER, extra=["--agent", "junk"])
    before = _stored(db)
    assert len(before) == 5 * 3
    scored = sum(r["status"] == "completed" for r in before.values())
    kinds = {a["type"] for r in before.values() for a in r["assertions"]}
    assert {"SideEffect", "AnswerNumber"} <= kinds  # junk's unasked changes; the answer
    assert any(r["flow"] for r in before.values())
    out = runner.invoke(app, ["rescore", "r", "--db", db])
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert f"rescored {scored} episodes" in text and "0 changed score, 0 changed verdict" in text
    assert _stored(db) == before


def test_a_flow_is_rescored_step_by_step(tmp_path: Path) -> None:
    db = str(tmp_path / "reev.db")
    _run(db, FLOW)
    before = _stored(db)
    victim = next(e for e, r in before.items() if r["agent"] == "deterministic")
    assert before[victim]["passed"] and len(before[victim]["steps"]) == 2
    assert all(step["accounts_after"] for step in before[victim]["steps"])

    def older(data: dict[str, Any]) -> None:
        for step in data["steps"]:
            step["score"], step["passed"] = 0.25, False
        data["flow"]["score"], data["flow"]["step_scores"] = 0.25, [0.25, 0.25]
        data["score"], data["passed"], data["scorer_version"] = 0.25, False, "0"

    _tamper(db, victim, older)
    out = runner.invoke(app, ["rescore", "r", "--db", db])
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert "1 changed score, 1 changed verdict" in text and "1 from scorer 0" in text
    after = _stored(db)
    assert after == before  # each step's score, the flow score and the verdict, recomputed
    assert [s["score"] for s in after[victim]["steps"]] == [1.0, 1.0]


def test_a_run_that_cannot_be_rescored_whole_is_left_unchanged(tmp_path: Path) -> None:
    db = str(tmp_path / "reev.db")
    _run(db, SINGLE[0], FLOW)
    episodes = _stored(db)
    flow = next(e for e, r in episodes.items() if r["agent"] == "deterministic" and r["flow"])

    def unobserved(data: dict[str, Any]) -> None:  # recorded before steps kept observations
        for step in data["steps"]:
            step.pop("accounts_before", None)
            step.pop("accounts_after", None)

    def skipped(data: dict[str, Any]) -> None:  # step 2 "did not run", yet step 1 passes
        data["steps"][1].update(skipped=True, error="not run: critical step 1 failed")

    for change, reason in ((unobserved, "per-step observations"), (skipped, "would run")):
        _tamper(db, flow, change)
        with open_store(db) as store:
            tampered = [s.model_dump() for s in store.list_episodes(run_id="r")]
        out = runner.invoke(app, ["rescore", "r", "--db", db])
        text = " ".join(out.output.split())
        assert out.exit_code == 1 and reason in text and "nothing was changed" in text, text
        with open_store(db) as store:
            assert [s.model_dump() for s in store.list_episodes(run_id="r")] == tampered
        _tamper(db, flow, lambda data: data.update(episodes[flow]))
    assert runner.invoke(app, ["rescore", "nope", "--db", db]).exit_code == 2
