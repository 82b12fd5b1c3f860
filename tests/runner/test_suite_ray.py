"""The Ray executor on a local cluster gives the local executor's results."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from reev.agents.registry import create_agent
from reev.runner.executors import LocalExecutor, make_executor
from reev.runner.suite import AgentEntry, load_all, run_matrix
from reev.store import open_store

ray = pytest.importorskip("ray")

ROOT = Path(__file__).resolve().parents[2]
FILES = ["001-sol-transfer.yml", "002-spl-transfer.yml", "003-spl-transfer-fail.yml"]
VOLATILE = {"execution_id", "started_at", "duration_ms"}


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def test_ray_results_equal_local_results(tmp_path: Path) -> None:
    loaded = load_all([ROOT / "benchmarks" / f for f in FILES])
    agents = [
        AgentEntry("deterministic", lambda: create_agent("deterministic")),
        AgentEntry("null", lambda: create_agent("null")),
    ]
    local = asyncio.run(run_matrix(loaded, agents, epochs=2, executor=LocalExecutor()))
    from reev.runner.executors.ray_executor import RayExecutor

    executor = RayExecutor(num_cpus=2)
    with open_store(f"sqlite:///{tmp_path / 'reev.db'}") as store:
        remote = asyncio.run(
            run_matrix(
                loaded,
                agents,
                epochs=2,
                concurrency=4,
                executor=executor,
                store=store,
                run_id="ray",
            )
        )
        assert store.count_episodes("ray") == len(remote.results) == 12
    assert [_stable(r.to_json_dict()) for r in remote.results] == [
        _stable(r.to_json_dict()) for r in local.results
    ]
    assert not ray.is_initialized()  # the executor shut down the cluster it started


def test_unknown_executor_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown executor"):
        make_executor("spark")
    assert make_executor("ray").name == "ray"
