"""Scoring: instruction matching (reev's formula), assertion evaluation, final scores.

This part only computes; it runs nothing.
"""

from reev.results.scoring import AssertionResult, ScoreBreakdown, ScoringProfile
from reev.scoring.score import score_episode

__all__ = ["AssertionResult", "ScoreBreakdown", "ScoringProfile", "score_episode"]
