"""Shared fixtures: paths to the bundled suite and to reev's original benchmark files."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "benchmarks"
ORIGINALS = ROOT.parent / "shared" / "reev-benchmarks"


@pytest.fixture
def originals() -> Path:
    if not ORIGINALS.is_dir():
        pytest.fail(f"reev's original benchmarks are expected at {ORIGINALS}")
    return ORIGINALS


@pytest.fixture
def bundled() -> Path:
    return BUNDLED


@pytest.fixture(autouse=True)
def _private_reev_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Commands that use the default database write under a temp REEV_HOME, never ~/."""
    monkeypatch.setenv("REEV_HOME", str(tmp_path_factory.mktemp("reev-home")))
