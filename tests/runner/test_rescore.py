"""`reev rescore`: stored episodes scored again from their records, with no agent run."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update
from typer.testing import CliRunner

from reev.cli.app import app
from reev.scoring.version import SCORER_VERSION
from reev.store import open_store
from reev.store.models import Episode

ROOT = Path(__file__).resolve().parents[2]
SINGLE = [str(ROOT / "benchmarks" / n) for n in ("001-sol-transfer.yml", "002-spl-transfer.yml")]
FLOW = str(ROOT / "benchmarks" / "300-flow-wrap-then-transfer.yml")
runner = CliRunner()


def _run(db: str, *paths: str) -> None:
    args = ["run", *paths, "--db", db, "-q", "--no-session-files", "--no-progress"]
    args += ["--agent", "deterministic", "--agent", "null", "--run-id", "r"]
    assert runner.invoke(app, args).exit_code == 0


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


def test_a_run_that_cannot_be_rescored_whole_is_left_unchanged(tmp_path: Path) -> None:
    db = str(tmp_path / "reev.db")
    _run(db, SINGLE[0], FLOW)
    with open_store(db) as store:
        before = [s.model_dump() for s in store.list_episodes(run_id="r")]
    out = runner.invoke(app, ["rescore", "r", "--db", db])
    assert out.exit_code == 1 and "flow" in out.output and "nothing was changed" in out.output
    with open_store(db) as store:
        assert [s.model_dump() for s in store.list_episodes(run_id="r")] == before
    assert runner.invoke(app, ["rescore", "nope", "--db", db]).exit_code == 2
