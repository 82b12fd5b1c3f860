"""Typed results of scoring."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

ScoringProfile = Literal["outcome", "reev"]
SCORING_PROFILES: tuple[str, ...] = ("outcome", "reev")


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
