"""Typed results of scoring: assertion verdicts, score breakdowns, flow scores.

Plain data (the formulas live in `reev.scoring`), so every part can carry them."""

from __future__ import annotations

from pydantic import BaseModel, Field

ScoringProfile = str
"""A scoring profile's name: `outcome`, `reev`, or one a plugin registered
(`reev.scoring.profiles.PROFILES`; the name is checked where a run is built)."""


class AssertionResult(BaseModel):
    """One final-state assertion: what was expected, what was found, and the verdict."""

    type: str
    pubkey: str
    address: str | None = None
    expected: dict[str, int] = Field(default_factory=dict)
    actual: int | None = None
    passed: bool
    weight: float
    detail: str = ""


class ScoreBreakdown(BaseModel):
    """Every score of an episode; `score`/`passed` follow the selected profile."""

    scoring: ScoringProfile
    score: float
    passed: bool
    instruction: float
    onchain: float
    outcome: float | None
    assertions: list[AssertionResult] = Field(default_factory=list)


class FlowScore(BaseModel):
    """How a flow's score came about: its parts, the formula and the verdict."""

    score: float
    passed: bool
    steps: float = Field(description="mean of the step scores (not-run steps count 0)")
    final: float | None = Field(description="weighted share of final assertions that hold")
    final_weight: float
    step_scores: list[float]
    steps_passed: int
    step_count: int
    min_score: float | None = None
    critical_failure: int | None = Field(
        default=None, description="the number of the critical step that failed, if any"
    )
    formula: str
