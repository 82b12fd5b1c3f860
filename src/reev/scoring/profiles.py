"""Scoring profiles by name: how an episode's scores become its `score` and `passed`.

Every episode is measured the same way whatever the profile (instruction match, whether
its last transaction succeeded, the weighted share of assertions that hold); a profile
decides what of that is the score and the verdict, whether the side-effect rule applies,
and how a multi-step flow is scored. `PROFILES` is a `reev.plugins.registry.Registry`:

* `outcome` (default) — the weighted share of `final_state_assertions` that hold; passed
  when all hold, or when the score reaches the file's `min_score`. A benchmark with no
  assertions falls back to `instruction × (last transaction succeeded)`, passed at 1.0
  (or `min_score`). The side-effect rule applies; flows get `reev.scoring.flow`'s score.
* `reev` — reev's formula: `0.75 × instruction + 0.25 × (last transaction succeeded)`,
  passed when ≥ 0.75 (≥ 0.6 for a whole flow, reev's hard-coded threshold). With
  `skip_instruction_validation` the score is the last transaction's success alone.

An installed package adds its own through the `reev` entry-point group
(`PROFILES.add("name", Profile(...))`, docs/plugins.md); `reev run --scoring NAME` then
uses it and `reev agents` lists it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reev.benchmark.model import GroundTruth
from reev.plugins.registry import PluginError, Registry
from reev.results.scoring import AssertionResult

REEV_PASS_THRESHOLD = 0.75
REEV_FLOW_PASS_THRESHOLD = 0.6


@dataclass(frozen=True)
class ProfileInputs:
    """What every profile scores from: one ground truth and what the episode did."""

    ground_truth: GroundTruth
    instruction: float  # reev's instruction match, 0..1
    onchain: float  # 1.0 when the last transaction succeeded, else 0.0
    outcome: float | None  # weighted share of assertions that hold (None: no assertions)
    assertions: list[AssertionResult]
    flow: bool = False  # the whole episode of a flow benchmark (not one of its steps)


@dataclass(frozen=True)
class Profile:
    """A scoring profile: its name, what it is, and how it turns inputs into a verdict.

    `side_effects`: the side-effect rule applies (the episode is compared with the
    reference solution's final state; a change the task did not ask for fails it).
    `flow_score`: a flow's score is `reev.scoring.flow`'s mix of step scores and final
    assertions; otherwise it is this profile's `score` over the whole flow (and a failed
    critical step still fails it).
    """

    name: str
    description: str
    score: Callable[[ProfileInputs], tuple[float, bool]]
    side_effects: bool = False
    flow_score: bool = False


def _outcome(i: ProfileInputs) -> tuple[float, bool]:
    gt = i.ground_truth
    if i.outcome is not None:
        all_hold = all(a.passed for a in i.assertions)
        return i.outcome, all_hold or (gt.min_score is not None and i.outcome >= gt.min_score)
    score = i.instruction * i.onchain
    return score, score >= (gt.min_score if gt.min_score is not None else 1.0)


def _reev(i: ProfileInputs) -> tuple[float, bool]:
    gt = i.ground_truth
    score = i.onchain if gt.skip_instruction_validation else 0.75 * i.instruction + 0.25 * i.onchain
    score = min(1.0, max(0.0, score))
    return score, score >= (REEV_FLOW_PASS_THRESHOLD if i.flow else REEV_PASS_THRESHOLD)


PROFILES: Registry[Profile] = Registry(
    "scoring profile",
    {
        "outcome": Profile(
            "outcome",
            "what happened on chain: weighted share of the assertions that hold, "
            "side-effect rule, flow score",
            _outcome,
            side_effects=True,
            flow_score=True,
        ),
        "reev": Profile(
            "reev",
            "reev's formula: 0.75 × instruction match + 0.25 × last transaction succeeded",
            _reev,
        ),
    },
)


def profile(name: str) -> Profile:
    """The profile called `name`; ValueError naming the known ones when there is none."""
    try:
        return PROFILES.require(name)
    except PluginError as exc:
        raise ValueError(str(exc)) from None
