"""The Ray executor on a local cluster gives the local executor's results."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reev.runner.executors import make_executor

pytest.importorskip("ray")

HERE = Path(__file__).resolve().parent


def test_ray_results_equal_local_results(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(HERE / "ray_check.py"), f"sqlite:///{tmp_path / 'reev.db'}"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["equal"] is True  # same results, signatures included
    assert (report["results"], report["stored"]) == (12, 12)
    assert 6 <= report["passed"] < 12  # the deterministic agent passes all 3 × 2 epochs
    assert report["shut_down"] is True


def test_unknown_executor_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown executor"):
        make_executor("spark")
    assert make_executor("ray").name == "ray"
