"""The local executor: episodes as asyncio tasks in this process, on pooled LiteSVMs."""

from __future__ import annotations

from reev.chain.pool import LiteSVMPool
from reev.results.records import EpisodeResult
from reev.runner.executors.base import EpisodeJob, execute_job


class LocalExecutor:
    """Runs each job in the current event loop; VMs are reused through a LiteSVM pool."""

    name = "local"

    def __init__(self, reuse_vms: bool = True) -> None:
        self.pool = LiteSVMPool() if reuse_vms else None

    async def start(self) -> None:
        return None

    async def run(self, job: EpisodeJob) -> EpisodeResult:
        return await execute_job(job, self.pool)

    async def close(self) -> None:
        return None
