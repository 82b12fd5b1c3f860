"""Every statistic on hand-computed examples (docs/statistics.md has the formulas)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest

from reev.scoring.statistics import (
    agent_stats,
    bootstrap_interval,
    compare_agents,
    mean,
    pairwise_comparisons,
    pass_at_k,
    pass_hat_k,
    percentile,
    sign_flip_p_value,
    task_stats,
)


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


def eps(agent: str, bench: str, passes: list[int], scores: list[float] | None = None) -> list[Ep]:
    scores = scores or [float(p) for p in passes]
    return [
        Ep(agent, bench, i, s, bool(p)) for i, (p, s) in enumerate(zip(passes, scores, strict=True))
    ]


def test_pass_at_k_unbiased_estimator() -> None:
    # n=5, c=2: 1 - C(3,k)/C(5,k)
    assert pass_at_k(5, 2, 1) == pytest.approx(1 - 3 / 5)
    assert pass_at_k(5, 2, 2) == pytest.approx(1 - 3 / 10)
    assert pass_at_k(5, 2, 3) == pytest.approx(1 - 1 / 10)
    assert pass_at_k(5, 2, 4) == 1.0  # n - c < k: some draw always passes
    assert pass_at_k(5, 0, 5) == 0.0
    assert pass_at_k(1, 1, 1) == 1.0


def test_pass_hat_k() -> None:
    # n=5, c=2: C(2,k)/C(5,k)
    assert pass_hat_k(5, 2, 1) == pytest.approx(2 / 5)
    assert pass_hat_k(5, 2, 2) == pytest.approx(1 / 10)
    assert pass_hat_k(5, 2, 3) == 0.0
    assert pass_hat_k(4, 4, 4) == 1.0


@pytest.mark.parametrize(("n", "c", "k"), [(3, 4, 1), (3, 1, 0), (3, 1, 4), (3, -1, 1)])
def test_estimators_reject_impossible_counts(n: int, c: int, k: int) -> None:
    with pytest.raises(ValueError):
        pass_at_k(n, c, k)
    with pytest.raises(ValueError):
        pass_hat_k(n, c, k)


def test_percentile_and_mean() -> None:
    assert percentile([0.0, 1.0, 2.0, 3.0], 0.5) == 1.5
    assert percentile([0.0, 10.0], 0.25) == 2.5
    assert math.isnan(percentile([], 0.5))
    assert mean([1.0, 2.0, 6.0]) == 3.0
    assert math.isnan(mean([]))


def test_bootstrap_interval_two_tasks() -> None:
    # resampled means of [[1], [0]] are 0, 0.5 or 1 → the 95% interval spans [0, 1]
    iv = bootstrap_interval([[1.0], [0.0]], lambda g: mean([x for t in g for x in t]))
    assert iv.value == 0.5
    assert (iv.low, iv.high) == (0.0, 1.0)
    same = bootstrap_interval([[0.7], [0.7], [0.7]], lambda g: mean([t[0] for t in g]))
    assert (same.low, same.value, same.high) == pytest.approx((0.7, 0.7, 0.7))
    single = bootstrap_interval([[0.3]], lambda g: g[0][0])
    assert (single.low, single.high) == (0.3, 0.3)


def test_bootstrap_is_deterministic_per_seed_and_covers_the_point() -> None:
    groups = [[float(i % 3 == 0)] for i in range(30)]

    def stat(g: list[list[float]]) -> float:
        return mean([t[0] for t in g])

    a = bootstrap_interval(groups, stat, seed=1)
    assert a == bootstrap_interval(groups, stat, seed=1)
    assert a.low < a.value < a.high
    assert a.value == pytest.approx(10 / 30)


def test_agent_stats_hand_computed() -> None:
    # t1: passes in epochs 0 and 1 of 3; t2: never passes
    episodes = eps("A", "t1", [1, 1, 0]) + eps("A", "t2", [0, 0, 0])
    (row,) = agent_stats(episodes)
    assert (row.tasks, row.episodes, row.epochs) == (2, 6, 3)
    assert row.mean_score.value == pytest.approx(1 / 3)
    assert row.pass_rate.value == pytest.approx(1 / 3)
    assert row.pass_at_k[1] == pytest.approx((2 / 3 + 0) / 2)
    assert row.pass_at_k[2] == pytest.approx((1.0 + 0) / 2)  # 1 - C(1,2)/C(3,2) = 1
    assert row.pass_at_k[3] == pytest.approx(0.5)
    assert row.pass_hat_k[1] == pytest.approx(1 / 3)
    assert row.pass_hat_k[2] == pytest.approx((1 / 3 + 0) / 2)  # C(2,2)/C(3,2)
    assert row.pass_hat_k[3] == 0.0
    assert row.mean_score.low <= row.mean_score.value <= row.mean_score.high


def test_tasks_weigh_equally_and_partial_scores_count() -> None:
    episodes = eps("A", "t1", [1, 1, 1, 1], [1.0, 1.0, 1.0, 1.0]) + eps("A", "t2", [0], [0.5])
    (row,) = agent_stats(episodes)
    assert row.mean_score.value == pytest.approx((1.0 + 0.5) / 2)
    # K = 4 (tie of counts 4 and 1 goes to the larger): every k covers t1 alone, and the
    # task left out is named; the pass rate still covers both tasks
    assert (row.epochs, row.k_tasks, row.short_tasks) == (4, ["t1"], ["t2"])
    assert row.pass_at_k[1] == 1.0
    assert row.pass_hat_k[4] == 1.0
    assert row.pass_rate.value == pytest.approx(0.5)


def test_infrastructure_errors_are_left_out_and_counted() -> None:
    episodes = eps("A", "t1", [1, 0])
    episodes.append(
        Ep("A", "t1", 2, 0.0, False, status="error", error_kind="infrastructure", prompt_tokens=50)
    )
    episodes.append(Ep("A", "t2", 0, 0.0, False, status="error", prompt_tokens=7, cost_usd=0.25))
    (row,) = agent_stats(episodes)
    assert row.infrastructure_errors == 1
    assert row.errors == 1  # the agent's own error counts as a failure
    assert row.episodes == 3
    assert row.pass_rate.value == pytest.approx((0.5 + 0.0) / 2)
    assert row.prompt_tokens == 7 and row.cost_usd == 0.25
    assert [t.n for t in task_stats(episodes)] == [2, 1]


def test_leaderboard_order() -> None:
    episodes = eps("weak", "t1", [0, 0]) + eps("strong", "t1", [1, 1])
    assert [r.agent for r in agent_stats(episodes)] == ["strong", "weak"]


def test_sign_flip_exact() -> None:
    # flips of [1, 2]: sums 3, 1, -1, -3; |sum| >= 3 twice out of 4
    assert sign_flip_p_value([1.0, 2.0]) == 0.5
    assert sign_flip_p_value([1.0] * 6) == pytest.approx(2 / 64)
    assert sign_flip_p_value([0.0, 0.0]) == 1.0


def test_comparison_clear_difference() -> None:
    episodes = []
    for t in range(6):
        episodes += eps("A", f"t{t}", [1, 1]) + eps("B", f"t{t}", [0, 0])
    cmp = compare_agents(episodes, "A", "B")
    assert cmp.tasks == 6
    assert cmp.difference.value == 1.0
    assert cmp.p_value == pytest.approx(2 / 64)
    assert not cmp.within_noise
    assert cmp.verdict == "A is better"


def test_comparison_too_few_tasks_is_within_noise() -> None:
    episodes = []
    for t in range(4):  # every task favours A, but 4 tasks give p = 2/16 > 0.05
        episodes += eps("A", f"t{t}", [1]) + eps("B", f"t{t}", [0])
    cmp = compare_agents(episodes, "A", "B")
    assert cmp.p_value == pytest.approx(2 / 16)
    assert cmp.within_noise and cmp.verdict == "within noise"


def test_comparison_mixed_is_within_noise_and_pairs_on_common_tasks() -> None:
    episodes = (
        eps("A", "t1", [1])
        + eps("B", "t1", [0])
        + eps("A", "t2", [0])
        + eps("B", "t2", [1])
        + eps("A", "only-a", [1])
    )
    cmp = compare_agents(episodes, "A", "B", metric="pass")
    assert cmp.tasks == 2
    assert cmp.difference.value == 0.0
    assert cmp.within_noise
    none = compare_agents(eps("A", "x", [1]) + eps("B", "y", [1]), "A", "B")
    assert none.tasks == 0 and none.verdict == "no common tasks"
    with pytest.raises(ValueError):
        compare_agents(episodes, "A", "B", metric="tokens")


def test_pairwise() -> None:
    episodes = eps("A", "t", [1]) + eps("B", "t", [0]) + eps("C", "t", [1])
    pairs = pairwise_comparisons(episodes, ["A", "B", "C"])
    assert [(c.a, c.b) for c in pairs] == [("A", "B"), ("A", "C"), ("B", "C")]
