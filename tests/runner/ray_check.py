"""Run by tests/runner/test_suite_ray.py in a fresh interpreter: local vs Ray results.

Ray's driver is started in its own process so that nothing earlier tests left in the
pytest process (threads, global providers) can reach it. Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from reev.agents.registry import create_agent
from reev.runner.executors import LocalExecutor
from reev.runner.executors.ray_executor import RayExecutor
from reev.runner.suite import AgentEntry, load_all, run_matrix
from reev.store import open_store

ROOT = Path(__file__).resolve().parents[2]
FILES = ["001-sol-transfer.yml", "002-spl-transfer.yml", "003-spl-transfer-fail.yml"]
VOLATILE = {"execution_id", "started_at", "duration_ms"}


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def main(db: str) -> None:
    import ray

    loaded = load_all([ROOT / "benchmarks" / f for f in FILES])
    agents = [
        AgentEntry("deterministic", lambda: create_agent("deterministic")),
        AgentEntry("null", lambda: create_agent("null")),
    ]
    local = asyncio.run(run_matrix(loaded, agents, epochs=2, executor=LocalExecutor()))
    with open_store(db) as store:
        remote = asyncio.run(
            run_matrix(
                loaded,
                agents,
                epochs=2,
                concurrency=4,
                executor=RayExecutor(num_cpus=2),
                store=store,
                run_id="ray",
            )
        )
        stored = store.count_episodes("ray")
    print(
        json.dumps(
            {
                "equal": [_stable(r.to_json_dict()) for r in remote.results]
                == [_stable(r.to_json_dict()) for r in local.results],
                "results": len(remote.results),
                "stored": stored,
                "passed": sum(r.passed for r in remote.results),
                "shut_down": not ray.is_initialized(),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
