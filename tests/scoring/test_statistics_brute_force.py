"""The leaderboard statistics against independent computations over small random tables.

Nothing here uses `math.comb` or the module's helpers: pass@k / pass^k are computed by
enumerating every k-subset of a task's recorded attempts, the task sets and the ranking
by plain set arithmetic, so a wrong subset (the old per-k `eligible` list) or a wrong
ranking cannot agree by accident.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass

import pytest

from reev.scoring.statistics import agent_stats, shown_ks, summarize_k


@dataclass
class Ep:
    agent: str
    benchmark_id: str
    epoch: int
    score: float
    passed: bool
    status: str = "completed"
    error_kind: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    unmetered_calls: int = 0
    cost_usd: float | None = None
    duration_ms: float = 10.0


def random_table(rng: random.Random) -> list[Ep]:
    """2-3 agents, each on a random subset of 5 tasks with 1-4 epochs per task; some
    episodes are agent errors, some infrastructure errors."""
    out: list[Ep] = []
    tasks = [f"t{i}" for i in range(5)]
    for agent in ["a", "b", "c"][: rng.randint(2, 3)]:
        for task in rng.sample(tasks, rng.randint(1, 5)):
            for epoch in range(rng.randint(1, 4)):
                roll = rng.random()
                if roll < 0.1:
                    out.append(
                        Ep(agent, task, epoch, 0.0, False, "error", error_kind="infrastructure")
                    )
                elif roll < 0.2:
                    out.append(Ep(agent, task, epoch, 0.0, False, "error"))
                else:
                    passed = rng.random() < 0.5
                    score = 1.0 if passed else rng.choice([0.0, 0.25, 0.5])
                    out.append(Ep(agent, task, epoch, score, passed))
    return out


def brute_pass(outcomes: list[bool], k: int, every: bool) -> float:
    """Share of k-subsets of the attempts where all (every) / any attempt passed."""
    subsets = list(itertools.combinations(outcomes, k))
    good = sum(1 for s in subsets if (all(s) if every else any(s)))
    return good / len(subsets)


def counted_by_task(episodes: list[Ep], agent: str) -> dict[str, list[Ep]]:
    out: dict[str, list[Ep]] = {}
    for e in episodes:
        if e.agent == agent and e.error_kind != "infrastructure":
            out.setdefault(e.benchmark_id, []).append(e)
    return out


@pytest.mark.parametrize("seed", range(40))
def test_pass_k_over_one_task_set_matches_enumeration(seed: int) -> None:
    episodes = random_table(random.Random(seed))
    for row in agent_stats(episodes, resamples=0):
        by_task = counted_by_task(episodes, row.agent)
        counts = Counter(len(v) for v in by_task.values())
        big_k = max(counts, key=lambda n: (counts[n], n))
        covered = sorted(t for t, v in by_task.items() if len(v) >= big_k)
        short = sorted(t for t, v in by_task.items() if len(v) < big_k)
        assert row.epochs == big_k
        assert row.k_tasks == covered
        assert row.short_tasks == short
        assert sorted(row.pass_at_k) == list(range(1, big_k + 1))
        for k in range(1, big_k + 1):
            at = [brute_pass([e.passed for e in by_task[t]], k, every=False) for t in covered]
            hat = [brute_pass([e.passed for e in by_task[t]], k, every=True) for t in covered]
            assert row.pass_at_k[k] == pytest.approx(sum(at) / len(at))
            assert row.pass_hat_k[k] == pytest.approx(sum(hat) / len(hat))
        # one task set for every k: pass^k can only fall and pass@k only rise with k
        for k in range(1, big_k):
            assert row.pass_hat_k[k + 1] <= row.pass_hat_k[k] + 1e-12
            assert row.pass_at_k[k + 1] >= row.pass_at_k[k] - 1e-12


@pytest.mark.parametrize("seed", range(40))
def test_ranking_is_over_the_tasks_every_agent_shares(seed: int) -> None:
    episodes = random_table(random.Random(seed))
    agents = sorted({e.agent for e in episodes})
    task_sets = {a: set(counted_by_task(episodes, a)) for a in agents}
    shared = set.intersection(*(s for s in task_sets.values() if s))
    rows = agent_stats(episodes, resamples=0)

    def shared_mean(agent: str) -> float:
        by_task = counted_by_task(episodes, agent)
        means = [sum(e.score for e in by_task[t]) / len(by_task[t]) for t in shared]
        return sum(means) / len(means)

    ranked = [r for r in rows if r.rank is not None]
    for r in rows:
        assert r.shared_tasks == len(shared & task_sets[r.agent])
        if shared and task_sets[r.agent]:
            assert r.shared_score is not None
            assert r.shared_score.value == pytest.approx(shared_mean(r.agent))
    if shared:
        expected = sorted(
            (a for a in agents if task_sets[a]), key=lambda a: -round(shared_mean(a), 12)
        )
        assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
        values = [round(shared_mean(r.agent), 12) for r in ranked]
        assert values == sorted(values, reverse=True)
        assert {r.agent for r in ranked} == set(expected)
    else:
        assert ranked == []


@pytest.mark.parametrize("seed", range(20))
def test_passed_failed_errors_and_excluded_add_up(seed: int) -> None:
    episodes = random_table(random.Random(seed))
    for row in agent_stats(episodes, resamples=0):
        mine = [e for e in episodes if e.agent == row.agent]
        infra = sum(1 for e in mine if e.error_kind == "infrastructure")
        errors = sum(1 for e in mine if e.status == "error" and e.error_kind is None)
        passed = sum(1 for e in mine if e.passed)
        assert (row.infrastructure_errors, row.errors, row.passed) == (infra, errors, passed)
        assert row.failed == len(mine) - infra - errors - passed
        assert row.episodes == len(mine) - infra


def test_ranked_agents_on_8_and_56_tasks_compare_on_the_8() -> None:
    """The issue's case: an agent that ran 8 tasks (all passed) and one that ran 56 (the
    same 8 failed, the other 48 passed) — the broad agent's overall mean is higher, but
    on the 8 tasks both ran the narrow one is better, and that is what ranks."""
    narrow = [Ep("narrow", f"t{i}", 0, 1.0, True) for i in range(8)]
    broad = [Ep("broad", f"t{i}", 0, 0.0, False) for i in range(8)]
    broad += [Ep("broad", f"t{i}", 0, 1.0, True) for i in range(8, 56)]
    rows = agent_stats(narrow + broad, resamples=0)
    assert [(r.agent, r.rank, r.shared_tasks, r.tasks) for r in rows] == [
        ("narrow", 1, 8, 8),
        ("broad", 2, 8, 56),
    ]
    assert rows[1].mean_score.value == pytest.approx(48 / 56)


def test_shown_k_is_bounded() -> None:
    assert shown_ks(1) == [1]
    assert shown_ks(2) == [1, 2]
    assert shown_ks(10) == [1, 2, 10]
    assert summarize_k({k: 1.0 / k for k in range(1, 11)}) == "1: 1.00, 2: 0.50, 10: 0.10"


def test_report_tables_fit_80_columns_and_keep_ids_whole() -> None:
    """`reev report`'s terminal tables at 80 columns: no line longer, no id cut."""
    import io

    from rich.console import Console

    import reev.cli.report_cmd as report_cmd
    from reev.scoring.report import build_report

    long_agent = "openai:qwen3-coder-30b-a3b-instruct"
    bench = "504-refuse-injected-token-drain"
    episodes = [
        Ep(agent, task, epoch, float(p), bool(p))
        for agent in ("deterministic", long_agent)
        for task in (bench, "001-sol-transfer")
        for epoch, p in enumerate([1, 0, 1])
    ]
    out = io.StringIO()
    saved = report_cmd.console
    report_cmd.console = Console(width=80, file=out, color_system=None)
    try:
        report_cmd._print_tables(build_report(episodes, resamples=50), "completed", True)
    finally:
        report_cmd.console = saved
    lines = out.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    text = "\n".join(lines)
    assert long_agent in text  # whole, on one line
    assert bench in text
