"""The shared result renderings keep the four outcomes apart (CLI tree, TUI trace, summary
tables): an error or an infrastructure error has no score and is never called a failure."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rich.console import Console

from reev.agents.controls import NullAgent
from reev.agents.deterministic import DeterministicAgent
from reev.benchmark.loader import load_benchmark
from reev.cli.summary import epochs_summary_table
from reev.results.errors import INFRASTRUCTURE, error_result
from reev.runner.episode import run_episode
from reev.store.store import open_store
from reev.tracing.render import result_tree, status_label, summary_table

BUNDLED = Path(__file__).resolve().parents[2] / "benchmarks"


def text(renderable: object) -> str:
    console = Console(width=200, record=True)
    console.print(renderable)
    return console.export_text()


def test_tree_and_table_say_error_and_infrastructure_error_not_failed(tmp_path: Path) -> None:
    benchmark = load_benchmark(BUNDLED / "001-sol-transfer.yml")
    passed = asyncio.run(run_episode(benchmark, DeterministicAgent()))
    failed = asyncio.run(run_episode(benchmark, NullAgent()))
    error = error_result(benchmark.id, "a", 0, "endpoint refused")
    infra = error_result(benchmark.id, "a", 0, "provider 503", kind=INFRASTRUCTURE)
    assert [status_label(r)[1] for r in (passed, failed, error, infra)] == [
        "passed",
        "failed",
        "error",
        "infrastructure error",
    ]
    assert "(no score): error" in text(result_tree(error))
    assert "(no score): infrastructure error" in text(result_tree(infra))
    assert "(Score: 0.0%): failed" in text(result_tree(failed))
    caption = text(summary_table([passed, failed, error, infra]))
    rows = [line for line in caption.splitlines() if "001-sol-transfer" in line]
    assert [line.split("│")[4].strip() for line in rows] == ["1.000", "0.000", "-", "-"]
    assert "1/4 passed, 1 failed, 1 error(s), 1 infrastructure error(s)" in caption
    # the mean leaves the infrastructure error out: (1 + failed score + 0) / 3
    mean = (passed.score + failed.score + error.score) / 3
    assert f"mean score {mean:.4f} (without infrastructure errors)" in " ".join(caption.split())
    # the epochs table reads stored summaries: the same counts
    store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    store.create_run("r")
    store.record_episodes("r", [passed, failed])
    store.create_run("s")
    store.record_episodes("s", [error])
    store.create_run("t")
    store.record_episodes("t", [infra])
    epochs = " ".join(text(epochs_summary_table(store.list_episodes())).split())
    store.close()
    assert "1/4 passed, 1 failed, 1 error(s), 1 infrastructure error(s)" in epochs
    assert "1 (+1 infra)" in epochs
