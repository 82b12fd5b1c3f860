"""Where episodes run: in this process (asyncio), in forked worker processes, or as Ray
tasks on a cluster."""

from collections.abc import Callable

from reev.plugins.registry import PluginError, Registry
from reev.runner.executors.base import EpisodeJob, Executor, ExecutorOptionError, execute_job
from reev.runner.executors.local import LocalExecutor
from reev.runner.upstreams import Upstreams

__all__ = [
    "EXECUTORS",
    "EpisodeJob",
    "Executor",
    "ExecutorOptionError",
    "LocalExecutor",
    "execute_job",
    "make_executor",
]


ExecutorFactory = Callable[..., Executor]


def _local(*, ray_address: str | None = None, upstreams: Upstreams | None = None) -> Executor:
    if ray_address:
        raise ExecutorOptionError("--ray-address needs --executor ray")
    return LocalExecutor(upstreams=upstreams)


def _process(*, ray_address: str | None = None, upstreams: Upstreams | None = None) -> Executor:
    if ray_address:
        raise ExecutorOptionError("--ray-address needs --executor ray")
    from reev.runner.executors.process import ProcessExecutor

    return ProcessExecutor()


def _ray(*, ray_address: str | None = None, upstreams: Upstreams | None = None) -> Executor:
    from reev.runner.executors.ray_executor import RayExecutor

    return RayExecutor(address=ray_address)


# name → factory(ray_address=…, upstreams=…); plugins add theirs (docs/plugins.md).
EXECUTORS: Registry[ExecutorFactory] = Registry(
    "executor", {"local": _local, "process": _process, "ray": _ray}
)


def make_executor(
    name: str, *, ray_address: str | None = None, upstreams: Upstreams | None = None
) -> Executor:
    """The executor called `name`: ValueError when unknown, ImportError when Ray is missing.

    The caller still calls `executor.check(spec)` before starting, so an option the
    executor cannot honour is refused with a clear error.
    """
    try:
        factory = EXECUTORS.require(name)
    except PluginError as exc:
        raise ValueError(str(exc)) from None
    return factory(ray_address=ray_address, upstreams=upstreams)
