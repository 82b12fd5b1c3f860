"""Fixtures for the store tests: real episode results from the bundled suite."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from reev.agents.registry import create_agent
from reev.results.records import EpisodeResult
from reev.runner.suite import LoadedBenchmark, load_all, run_suite
from reev.store import Store, open_store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def loaded_suite() -> list[LoadedBenchmark]:
    return load_all([ROOT / "benchmarks"])


@pytest.fixture(scope="session")
def suite_results(loaded_suite: list[LoadedBenchmark]) -> list[EpisodeResult]:
    """One real deterministic run of the bundled suite (LiteSVM, real scores)."""
    return asyncio.run(
        run_suite(loaded_suite, lambda: create_agent("deterministic"), "deterministic")
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = open_store(f"sqlite:///{tmp_path / 'reev.db'}")
    yield s  # type: ignore[misc]
    s.close()
