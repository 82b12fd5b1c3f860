"""Shared fixtures: paths to the bundled suite and to reev's original benchmark files.

reev's original files are not part of this repository: they sit beside a checkout in
`../shared/reev-benchmarks` (CI lays them there). A plain clone has no such folder, and
the tests that compare against them skip, saying why; everything else runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "benchmarks"
ORIGINALS = ROOT.parent / "shared" / "reev-benchmarks"


ORIGINALS_MISSING = (
    f"reev's original benchmark files are not beside this checkout ({ORIGINALS} does not exist)"
)


@pytest.fixture
def originals() -> Path:
    """`../shared/reev-benchmarks`, or a skip when this checkout has none beside it
    (a failure under CI, which always has them: coverage is never lost silently there)."""
    if not ORIGINALS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(ORIGINALS_MISSING)
        pytest.skip(ORIGINALS_MISSING)
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
