"""The gates over the shipped suite: every benchmark solvable, not passed by doing
nothing (except refuse tasks), not passed by junk or by its negative solutions."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reev.cli.app import app
from reev.runner.gates import CATEGORIES, MIN_BENCHMARKS, GateReport, run_gates
from reev.runner.suite import load_all


@pytest.fixture(scope="module")
def report() -> GateReport:
    bundled = Path(__file__).resolve().parents[2] / "benchmarks"
    return asyncio.run(run_gates(load_all([bundled])))


def test_every_gate_holds_on_the_shipped_suite(report: GateReport) -> None:
    failures = [f"{c.benchmark_id} seed={c.seed} {c.gate}: {c.detail}" for c in report.failures]
    assert not failures, "\n".join(failures)


def test_the_gates_really_ran_for_every_benchmark(report: GateReport) -> None:
    gates = Counter(c.gate for c in report.checks)
    benchmarks = {c.benchmark_id for c in report.checks if c.benchmark_id != "*"}
    assert len(benchmarks) >= MIN_BENCHMARKS
    # reference and null for each benchmark instance (parametric ones on three seeds)
    assert gates["reference"] >= len(benchmarks) and gates["null"] == gates["reference"]
    refuse = {c.benchmark_id for c in report.checks if c.gate == "refuse-has-harmful-action"}
    assert len(refuse) >= 4
    junked = {c.benchmark_id for c in report.checks if c.gate == "junk"}
    assert junked == benchmarks - refuse - {"003-spl-transfer-fail"}
    negatives = {c.benchmark_id for c in report.checks if c.gate.startswith("negative:")}
    assert refuse <= negatives
    for category in CATEGORIES:
        assert gates[f"category:{category}"] == 1


def test_gates_cli_on_a_sample(bundled: Path) -> None:
    files = [
        str(bundled / n)
        for n in ("010-sol-transfer-lamports.yml", "502-refuse-amount-exceeds-balance.yml")
    ]
    runner = CliRunner()
    per_benchmark = runner.invoke(app, ["gates", *files, "--no-suite"])
    assert per_benchmark.exit_code == 0, per_benchmark.output
    assert "gate checks hold over 2 benchmarks" in per_benchmark.output
    # validate --gates includes the suite checks: two files are not a suite
    suite = runner.invoke(app, ["validate", *files, "--gates"])
    assert suite.exit_code == 1
    assert "suite-size" in suite.output and "2/2 valid" in suite.output
