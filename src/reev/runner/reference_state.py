"""The gold state of the side-effect rule: the reference solution replayed on a fresh VM.

Before the agent acts, the benchmark's reference solution (the deterministic agent's
answer) runs on its own fresh chain with the very same keys; what it leaves is what the
task asked for. `reev.scoring.side_effects` compares the agent's final state with it.

On the embedded VM the replay is deterministic, so its outcome is cached per benchmark
instance and key map (epochs of one benchmark replay once). Replays that reach an
upstream (Jupiter, an RPC node, a fork) are never cached.

For the same reason the reference agent itself needs no replay there (`own_run_is_replay`):
its episode runs the very same solution with the same keys from the same initial state on
the same deterministic VM, so its own final state is the gold state (`run_state`). The
episode falls back to a replay whenever its run was not that replay step for step (a
step skipped or in error).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Iterable

from reev.agents.base import AgentError, StepTask
from reev.agents.deterministic import BUILTIN_SOLUTIONS, DeterministicAgent
from reev.benchmark.model import Benchmark
from reev.benchmark.resolve import KeyRing
from reev.chain.backend import ChainBackend
from reev.chain.env import ChainSetupError, SolanaEnv
from reev.chain.jsonrpc import UpstreamError
from reev.chain.pool import is_embedded
from reev.results.chain import AccountState
from reev.results.errors import BENCHMARK, INFRASTRUCTURE
from reev.runner.context import EpisodeContext
from reev.runner.harness import EpisodeHarness
from reev.runner.watched import unwrapped
from reev.scoring.side_effects import RunState
from reev.tools.jupiter import JUPITER_TOOLS

_CACHE_SIZE = 512
_cache: OrderedDict[str, RunState] = OrderedDict()


class ReferenceUnavailable(Exception):
    """The reference final state cannot be established; `kind` says whose fault it is."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.kind = kind


def has_reference(benchmark: Benchmark) -> bool:
    """True when the benchmark has a reference solution (its own or a built-in one)."""
    return benchmark.reference_solution is not None or benchmark.id in BUILTIN_SOLUTIONS


async def reference_state(
    benchmark: Benchmark,
    keys: KeyRing,
    watched: Iterable[str],
    context: EpisodeContext | None = None,
) -> RunState:
    """What the reference solution leaves on chain (see the module docstring).

    A benchmark without a reference solution gets an empty gold run: nothing may change
    beyond what its explicit assertions judge. Raises ReferenceUnavailable when the
    replay cannot run (kind "infrastructure" for an upstream, "benchmark" otherwise).
    """
    watched = list(watched)
    context = context or EpisodeContext()
    if not has_reference(benchmark):
        return RunState(final={}, touched_before={}, fees=0, replayed=False)
    cacheable = _cacheable(benchmark, context.backend_factory)
    key = _cache_key(benchmark, keys, watched) if cacheable else None
    if key is not None and key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    state = await _replay(benchmark, keys, watched, context)
    if key is not None:
        _cache[key] = state
        if len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return state


def own_run_is_replay(agent: object, benchmark: Benchmark, context: EpisodeContext) -> bool:
    """True when the agent's episode is itself the reference replay (see the module
    docstring): the built-in reference agent on its benchmark's own solution, on the
    embedded VM, with no upstream tool. Any other agent, a plugin's included, is replayed."""
    agent = unwrapped(agent)
    return (
        type(agent) is DeterministicAgent  # not a subclass: its run must be the replay's
        and agent.replays_reference
        and has_reference(benchmark)
        and _cacheable(benchmark, context.backend_factory)
    )


def run_state(env: SolanaEnv, harness: EpisodeHarness) -> RunState:
    """What a run left on `env`: every observed or touched account, and the fees paid."""
    addresses = dict.fromkeys([*env.observe().accounts, *env.touched_before])
    final: dict[str, AccountState] = {a: env.account_state(a) for a in addresses}
    fees = sum(tx.fee for tx in harness.transactions if tx.status != "rejected")
    return RunState(final=final, touched_before=dict(env.touched_before), fees=fees)


async def _replay(
    benchmark: Benchmark,
    keys: KeyRing,
    watched: list[str],
    context: EpisodeContext,
) -> RunState:
    env = SolanaEnv(context.backend_factory)
    try:
        env.reset(benchmark, keys=keys)
    except ChainSetupError as exc:
        raise ReferenceUnavailable(f"cannot build initial state: {exc}", BENCHMARK) from exc
    except UpstreamError as exc:
        raise ReferenceUnavailable(f"upstream failed: {exc}", INFRASTRUCTURE) from exc
    env.watch(watched)
    harness = EpisodeHarness(env, context.jupiter, traced=False)
    agent = DeterministicAgent()
    agent.start_episode(benchmark)
    flow = benchmark.flow or []
    for index, prompt in enumerate(benchmark.step_prompts, start=1):
        spec = flow[index - 1] if flow else None
        if spec is not None and spec.warp_epochs:
            env.warp_epochs(spec.warp_epochs)  # as the agent's run does before this step
        harness.begin_step(index, prompt)
        task = StepTask(
            benchmark_id=benchmark.id,
            step=index,
            step_count=benchmark.step_count,
            prompt=prompt,
            observation=env.observe(),
            epoch=context.epoch,
        )
        try:
            await agent.run_step(task, harness)
        except UpstreamError as exc:
            raise ReferenceUnavailable(f"upstream failed: {exc}", INFRASTRUCTURE) from exc
        except AgentError as exc:
            kind = INFRASTRUCTURE if harness.upstream_failure else BENCHMARK
            raise ReferenceUnavailable(str(exc), kind) from exc
        if harness.upstream_failure:
            raise ReferenceUnavailable(harness.upstream_failure, INFRASTRUCTURE)
    state = run_state(env, harness)
    if not is_embedded(context.backend_factory):  # a chain the agent's run may share
        env.undo_transactions()
    return state


def _cacheable(benchmark: Benchmark, backend_factory: Callable[[], ChainBackend] | None) -> bool:
    """Only embedded replays that call no upstream tool are deterministic."""
    if not is_embedded(backend_factory):
        return False
    steps = benchmark.reference_solution or BUILTIN_SOLUTIONS.get(benchmark.id) or []
    upstream = {tool.name for tool in JUPITER_TOOLS}
    return not any(call.tool in upstream for step in steps for call in step.tool_calls or [])


def _cache_key(benchmark: Benchmark, keys: KeyRing, watched: list[str]) -> str:
    digest = hashlib.sha256(benchmark.model_dump_json().encode())
    for name, address in sorted(keys.key_map.items()):
        digest.update(f"\0{name}={address}".encode())
    for address in watched:
        digest.update(f"\0w{address}".encode())
    return digest.hexdigest()
