"""The local executor: episodes as asyncio tasks in this process, on pooled LiteSVMs."""

from __future__ import annotations

from reev.chain.pool import LiteSVMPool
from reev.results.records import EpisodeResult
from reev.results.spec import RunSpec
from reev.runner.executors.base import EpisodeJob, execute_job
from reev.runner.upstreams import Upstreams


class LocalExecutor:
    """Runs each job in the current event loop; VMs are reused through a LiteSVM pool.

    It honours every option: the run's `upstreams` (RPC node, fork, cassette, Jupiter
    URL) are used by every episode as they are, in this process.
    """

    name = "local"

    def __init__(self, reuse_vms: bool = True, upstreams: Upstreams | None = None) -> None:
        self.pool = LiteSVMPool() if reuse_vms else None
        self.upstreams = upstreams

    def check(self, spec: RunSpec) -> None:
        return None

    async def start(self) -> None:
        return None

    async def run(self, job: EpisodeJob) -> EpisodeResult:
        return await execute_job(job, self.pool, self.upstreams)

    async def close(self) -> None:
        return None
