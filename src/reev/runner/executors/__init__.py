"""Where episodes run: in this process (asyncio) or as Ray tasks on a cluster."""

from reev.runner.executors.base import EpisodeJob, Executor, ExecutorOptionError, execute_job
from reev.runner.executors.local import LocalExecutor
from reev.runner.upstreams import Upstreams

__all__ = [
    "EpisodeJob",
    "Executor",
    "ExecutorOptionError",
    "LocalExecutor",
    "execute_job",
    "make_executor",
]


def make_executor(
    name: str, *, ray_address: str | None = None, upstreams: Upstreams | None = None
) -> Executor:
    """`local` or `ray`; ValueError for anything else, ImportError when Ray is missing."""
    if name == "local":
        return LocalExecutor(upstreams=upstreams)
    if name == "ray":
        from reev.runner.executors.ray_executor import RayExecutor

        return RayExecutor(address=ray_address)
    raise ValueError(f"unknown executor {name!r}; known executors: local, ray")
