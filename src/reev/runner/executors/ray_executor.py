"""The Ray executor: each episode is a Ray task, on a local cluster or at `address`.

Jobs (benchmark model, agent factory, seed…) are pickled by Ray's cloudpickle, run by
the same `execute_job` as the local executor on a worker's own LiteSVM pool, and their
results come back as EpisodeResults: identical to local runs. A worker that dies, or a
task Ray cannot run, becomes an error result of kind "infrastructure" (retryable).

Options a worker cannot honour are refused before the run starts (`check`): a chain other
than the embedded LiteSVM with the live Jupiter API (`--backend rpc`, `--fork-url`,
`--cassette`, `--jupiter-url`: their clients and cassette live in the driver process),
`--cache` (the cache's database connection cannot travel to a worker) and `--trace-file`
(spans are emitted in the worker processes, which write no trace file). Run those with the
local executor.

Multi-machine setup: docs/runs.md ("Ray").
"""

from __future__ import annotations

import asyncio
from typing import Any

from reev.chain.pool import LiteSVMPool
from reev.results.errors import INFRASTRUCTURE
from reev.results.records import EpisodeResult
from reev.results.spec import RunSpec
from reev.runner.executors.base import (
    EpisodeJob,
    execute_job,
    failed_result,
    refuse_out_of_process,
)

_WORKER_POOL: LiteSVMPool | None = None
LOCAL_OBJECT_STORE_BYTES = 256 * 1024 * 1024


def _run_in_worker(job: EpisodeJob) -> dict[str, Any]:
    """Ray task body: one episode on this worker's VM pool; the result as plain JSON data."""
    global _WORKER_POOL
    if _WORKER_POOL is None:
        _WORKER_POOL = LiteSVMPool()
    result = asyncio.run(execute_job(job, _WORKER_POOL))
    return result.model_dump(mode="json")


class RayExecutor:
    """Submits episodes as Ray tasks; `address=None` starts (or joins) a local cluster."""

    name = "ray"

    def __init__(self, address: str | None = None, num_cpus: int | None = None) -> None:
        import ray  # noqa: F401  (ImportError here tells the user to install reev[ray])

        self.address = address
        self.num_cpus = num_cpus
        self._remote: Any = None
        self._started_here = False

    @staticmethod
    def check(spec: RunSpec) -> None:
        """ExecutorOptionError naming each option a Ray worker cannot honour."""
        refuse_out_of_process("ray", spec)

    async def start(self) -> None:
        import ray

        if not ray.is_initialized():
            kwargs: dict[str, Any] = {
                "ignore_reinit_error": True,
                "include_dashboard": False,
                "log_to_driver": False,
            }
            if self.address:
                kwargs["address"] = self.address
            else:  # a local instance for this run: results are small, so is its object store
                kwargs["object_store_memory"] = LOCAL_OBJECT_STORE_BYTES
                if self.num_cpus is not None:
                    kwargs["num_cpus"] = self.num_cpus
            # In the calling thread: Ray's core worker must be set up by the thread that
            # later submits the tasks (the event loop's).
            ray.init(**kwargs)
            self._started_here = True
        self._remote = ray.remote(max_retries=0)(_run_in_worker)

    async def run(self, job: EpisodeJob) -> EpisodeResult:
        import ray

        try:
            data = await self._remote.remote(job)
        except (ray.exceptions.RayError, OSError) as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return failed_result(job, f"ray worker failed: {reason}", INFRASTRUCTURE)
        return EpisodeResult.model_validate(data)

    async def close(self) -> None:
        import ray

        if self._started_here and ray.is_initialized():
            ray.shutdown()
