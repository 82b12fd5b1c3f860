"""Reused LiteSVM instances give exactly the results of fresh ones, and leave nothing behind."""

from __future__ import annotations

import asyncio
from pathlib import Path

from solders.pubkey import Pubkey

from reev.agents.registry import create_agent
from reev.chain.env import SolanaEnv
from reev.chain.pool import LiteSVMPool, PooledLiteSVMBackend
from reev.programs.ids import TOKEN_PROGRAMS
from reev.results.records import EpisodeResult
from reev.runner.context import EpisodeContext
from reev.runner.episode import run_episode
from reev.runner.suite import load_all
from tests.records import stable

ROOT = Path(__file__).resolve().parents[2]


def _run_all(pool: LiteSVMPool | None, seed: int = 0) -> list[EpisodeResult]:
    loaded = [item for item in load_all([ROOT / "benchmarks"]) if item.benchmark is not None]

    async def main() -> list[EpisodeResult]:
        out = []
        for item in loaded:
            assert item.benchmark is not None
            if pool is None:
                out.append(
                    await run_episode(item.benchmark, create_agent("deterministic"), seed=seed)
                )
            else:
                with pool.lease() as factory:
                    context = EpisodeContext(backend_factory=factory)
                    agent = create_agent("deterministic")
                    out.append(await run_episode(item.benchmark, agent, seed=seed, context=context))
        return out

    return asyncio.run(main())


def test_pooled_episodes_equal_fresh_ones_signatures_included() -> None:
    fresh = [stable(r.to_json_dict()) for r in _run_all(None)]
    pool = LiteSVMPool()
    for _ in range(3):  # the same VM serves every episode, three times over
        assert [stable(r.to_json_dict()) for r in _run_all(pool)] == fresh
    assert pool.created == 1
    signatures = [
        tx["signature"]
        for r in fresh
        for s in r["steps"]
        for tx in s["transactions"]
        if tx["signature"]
    ]
    assert signatures, "the suite should execute transactions"


def test_interleaved_seeds_stay_isolated() -> None:
    pool = LiteSVMPool()
    a = [stable(r.to_json_dict()) for r in _run_all(pool, seed=1)]
    _run_all(pool, seed=2)
    assert [stable(r.to_json_dict()) for r in _run_all(pool, seed=1)] == a


def test_release_removes_every_account_an_episode_created() -> None:
    backend = PooledLiteSVMBackend()
    before = {p: len(backend.program_accounts(p)) for p in TOKEN_PROGRAMS}
    loaded = [item for item in load_all([ROOT / "benchmarks"]) if item.benchmark is not None]
    env = SolanaEnv(lambda: backend)
    assert loaded[1].benchmark is not None
    env.reset(loaded[1].benchmark, seed=0)
    wallet = Pubkey.from_string(env.key_map["USER_WALLET_PUBKEY"])
    assert backend.get_account(wallet) is not None
    backend.restore()
    assert backend.get_account(wallet) is None
    assert {p: len(backend.program_accounts(p)) for p in TOKEN_PROGRAMS} == before


def test_without_a_lease_env_uses_a_fresh_vm() -> None:
    env = SolanaEnv()
    loaded = [item for item in load_all([ROOT / "benchmarks"]) if item.benchmark is not None]
    assert loaded[0].benchmark is not None
    env.reset(loaded[0].benchmark)
    assert not isinstance(env.backend, PooledLiteSVMBackend)


def test_release_restores_the_clock_a_benchmark_warped() -> None:
    backend = PooledLiteSVMBackend()
    start = backend.svm.get_clock()
    env = SolanaEnv(lambda: backend)
    warped = next(
        item.benchmark
        for item in load_all([ROOT / "benchmarks"])
        if item.benchmark is not None and item.benchmark.epoch is not None
    )
    env.reset(warped, seed=0)
    env.warp_epochs(2)
    assert env.current_epoch() == (warped.epoch or 0) + 2
    backend.restore()
    after = backend.svm.get_clock()
    assert (after.epoch, after.slot) == (start.epoch, start.slot)


def test_prefill_makes_the_vms_the_first_episodes_then_use() -> None:
    pool = LiteSVMPool(max_idle=2)
    pool.prefill(3)  # capped by max_idle
    assert pool.created == 2
    pool.prefill(2)  # already there: nothing made
    assert pool.created == 2
    first, second = pool.acquire(), pool.acquire()
    assert first is not second and pool.created == 2  # both came from the prefill
    pool.acquire()
    assert pool.created == 3  # the pool was empty: a new VM
