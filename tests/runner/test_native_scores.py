"""The contract of issue 2: reev's native benchmarks score exactly as reev reports."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from reev.agents.controls import NullAgent
from reev.agents.deterministic import DeterministicAgent
from reev.benchmark.loader import load_benchmark
from reev.runner.episode import run_episode

REEV_SCORES = {
    "001-sol-transfer.yml": 1.0,
    "002-spl-transfer.yml": 1.0,
    "003-spl-transfer-fail.yml": 0.75,
    "004-partial-score-spl-transfer.yml": 0.7857142857142857,
}


@pytest.mark.parametrize(("name", "expected"), sorted(REEV_SCORES.items()))
def test_reev_profile_reproduces_reevs_numbers(originals: Path, name: str, expected: float) -> None:
    b = load_benchmark(originals / name)
    result = asyncio.run(run_episode(b, DeterministicAgent(), scoring="reev"))
    assert result.status == "completed"
    assert result.score == pytest.approx(expected)
    assert result.passed  # reev marks all four as Succeeded (>= 0.75)


@pytest.mark.parametrize("name", sorted(REEV_SCORES))
def test_outcome_profile_scores_one(originals: Path, name: str) -> None:
    b = load_benchmark(originals / name)
    result = asyncio.run(run_episode(b, DeterministicAgent(), scoring="outcome"))
    assert result.score == 1.0
    assert all(a.passed for a in result.assertions)


def test_null_agent_scores_zero_on_001(originals: Path) -> None:
    b = load_benchmark(originals / "001-sol-transfer.yml")
    for profile in ("outcome", "reev"):
        result = asyncio.run(run_episode(b, NullAgent(), scoring=profile))  # type: ignore[arg-type]
        assert result.status == "completed"
        assert result.score == 0.0
        assert not result.passed
