"""Where episodes run: in this process (asyncio) or as Ray tasks on a cluster."""

from reev.runner.executors.base import EpisodeJob, Executor, execute_job
from reev.runner.executors.local import LocalExecutor

__all__ = ["EpisodeJob", "Executor", "LocalExecutor", "execute_job", "make_executor"]


def make_executor(name: str, *, ray_address: str | None = None) -> Executor:
    """`local` or `ray`; ValueError for anything else, ImportError when Ray is missing."""
    if name == "local":
        return LocalExecutor()
    if name == "ray":
        from reev.runner.executors.ray_executor import RayExecutor

        return RayExecutor(address=ray_address)
    raise ValueError(f"unknown executor {name!r}; known executors: local, ray")
