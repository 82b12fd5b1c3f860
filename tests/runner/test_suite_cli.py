"""`reev run` at scale and `reev report` / `reev cache` through the real CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from reev.cli.app import app
from reev.store import open_store
from reev.store.cache import ModelCallCache

ROOT = Path(__file__).resolve().parents[2]
B1 = str(ROOT / "benchmarks" / "001-sol-transfer.yml")
B2 = str(ROOT / "benchmarks" / "002-spl-transfer.yml")
runner = CliRunner()


def _run(db: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        app,
        ["run", B1, B2, "--db", db, "-q", "--no-session-files", "--no-progress", *args],
    )
    return result.exit_code, result.output


def test_run_two_agents_epochs_resume_and_report(tmp_path: Path) -> None:
    db = str(tmp_path / "reev.db")
    code, out = _run(
        db, "--agent", "deterministic", "--agent", "null", "--epochs", "2", "--run-id", "cmp"
    )
    assert code == 0, out
    assert "4/8 passed" in out
    with open_store(db) as store:
        run = store.get_run("cmp")
        assert run is not None and run.episodes == 8 and run.status == "completed"
        assert [a["label"] for a in run.config["spec"]["agents"]] == ["deterministic", "null"]

    json_path = tmp_path / "all.json"
    code, out = _run(
        db,
        "--agent",
        "deterministic",
        "--agent",
        "null",
        "--epochs",
        "3",
        "--run-id",
        "cmp",
        "--json",
        str(json_path),
    )
    assert code == 0, out
    assert "skipped 8 episodes already completed, ran 4" in out.replace("\n", " ")
    results = json.loads(json_path.read_text())["results"]
    assert len(results) == 12  # the whole run, not just this invocation
    assert {r["epoch"] for r in results} == {0, 1, 2}

    report = runner.invoke(app, ["report", "--db", db, "--run-id", "cmp", "--format", "json"])
    assert report.exit_code == 0, report.output
    data = json.loads(report.output)
    agents = {a["agent"]: a for a in data["agents"]}
    assert agents["deterministic"]["pass_rate"] == 1.0 and agents["null"]["pass_rate"] == 0.0
    assert agents["deterministic"]["pass_at_k"] == {"1": 1.0, "2": 1.0, "3": 1.0}
    (cmp,) = data["comparisons"]
    assert (cmp["a"], cmp["b"], cmp["tasks"]) == ("deterministic", "null", 2)
    assert cmp["within_noise"] is True  # two benchmarks cannot show a difference

    table = runner.invoke(app, ["report", "--db", db])
    assert table.exit_code == 0
    assert "Leaderboard" in table.output and "within noise" in table.output

    rows = list(
        csv.DictReader(
            io.StringIO(runner.invoke(app, ["report", "--db", db, "--format", "csv"]).output)
        )
    )
    assert [r["agent"] for r in rows] == ["deterministic", "null"]
    md = runner.invoke(app, ["report", "--db", db, "--format", "markdown"]).output
    assert md.startswith("# reev report: cmp") and "| deterministic |" in md


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    db = str(tmp_path / "reev.db")
    assert _run(db, "--agent", "nosuch")[0] == 2
    assert _run(db, "--agent", "null", "--agent", "null")[0] == 2
    assert _run(db, "--epochs", "0")[0] == 2
    assert _run(db, "--executor", "spark")[0] == 2
    assert runner.invoke(app, ["report", "--db", db, "--run-id", "none"]).exit_code == 2
    assert runner.invoke(app, ["report", "--db", db, "--format", "xml"]).exit_code == 2


def test_cache_clear_and_stats(tmp_path: Path) -> None:
    db = str(tmp_path / "reev.db")
    with open_store(db) as store:
        cache = ModelCallCache(store)
        cache.put(
            {"content": "a"}, model="m", base_url=None, messages=[{"role": "user", "content": "x"}]
        )
        cache.put(
            {"content": "b"}, model="n", base_url=None, messages=[{"role": "user", "content": "y"}]
        )
    stats = runner.invoke(app, ["cache", "stats", "--db", db])
    assert "2 cached responses" in stats.output
    cleared = runner.invoke(app, ["cache", "clear", "--db", db, "--model", "m"])
    assert "removed 1 cached model response" in cleared.output
    with open_store(db) as store:
        assert ModelCallCache(store).stats()["entries"] == 1
