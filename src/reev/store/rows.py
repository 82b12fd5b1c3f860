"""Turn an EpisodeResult into its one stored form: an `episodes` row.

The row's columns are what queries filter and sum (status, score, tokens, cost…); the
whole result is its `result_json` (the `to_json_dict()` form, so fields added to the
result later are kept), with model calls stored once each (`reev.store.transcript`).
A result without model calls (nothing to compact or sum) is encoded from its
`to_json_view()` in one pass, ready for the column (`EncodedJson`).
Tokens and cost are summed from what LLM agents record: a step's
`model_calls` list, or entries of a top-level `transcript` list whose `type`/`kind` is
`model_call` (with the step number in `step`); tokens from `usage.prompt_tokens` /
`usage.completion_tokens` or top-level `prompt_tokens` / `completion_tokens`, cost from
`cost_usd` (or `cost`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from reev.results.records import EpisodeResult
from reev.store.engine import fast_json
from reev.store.transcript import compact_model_calls


def episode_rows(
    run_id: str,
    result: EpisodeResult,
    *,
    benchmark_version_id: int | None = None,
    attempt: int = 1,
    recorded_at: datetime | None = None,
) -> dict[str, Any]:
    """The `episodes` row of one result in run `run_id`, ready for an INSERT."""
    columns = {
        "execution_id": result.execution_id,
        "run_id": run_id,
        "benchmark_version_id": benchmark_version_id,
        "benchmark_id": result.benchmark_id,
        "agent": result.agent,
        "model": result.model,
        "epoch": result.epoch,
        "seed": result.seed,
        "status": result.status,
        "error": result.error,
        "error_kind": result.error_kind,
        "failure_kind": getattr(result, "failure_kind", None),
        "first_prompt_tokens": getattr(result, "first_prompt_tokens", None),
        "score": float(result.score),
        "passed": bool(result.passed),
        "scoring": result.scoring,
        "scorer_version": result.scorer_version,
        "duration_ms": float(result.duration_ms),
        "attempt": attempt,
        "started_at": result.started_at,
        "recorded_at": recorded_at or datetime.now(UTC),
    }
    if not any(step.model_calls for step in result.steps):  # nothing to compact or sum
        encoded = fast_json(result.to_json_view())
        if encoded is not None:  # else the plain form, which the JSON column refuses
            return columns | {
                "prompt_tokens": 0,
                "completion_tokens": 0,
                "unmetered_calls": 0,
                "cost_usd": None,
                "result_json": encoded,
            }
    data = result.to_json_dict()
    model_calls: list[dict[str, Any]] = []
    steps_json: list[dict[str, Any]] = data.get("steps") or []
    transcript = data.get("transcript")
    for raw in steps_json:
        n = int(raw.get("step", 0))
        calls = _step_model_calls(raw, transcript, n)
        model_calls.extend(_model_call_usage(call, result.model) for call in calls)
    unmetered = sum(1 for r in model_calls if r["unmetered"])
    prompt_tokens = sum(r["prompt_tokens"] for r in model_calls)
    completion_tokens = sum(r["completion_tokens"] for r in model_calls)
    costs = [r["cost_usd"] for r in model_calls if r["cost_usd"] is not None]
    usage = data.get("usage")
    if isinstance(usage, dict) and not model_calls:
        prompt_tokens = int(usage.get("prompt_tokens") or 0)
        completion_tokens = int(usage.get("completion_tokens") or 0)
        cost = usage.get("cost_usd", usage.get("cost"))
        costs = [float(cost)] if cost is not None else []
    return columns | {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "unmetered_calls": unmetered,
        "cost_usd": sum(costs) if costs else None,
        "result_json": compact_model_calls(data),
    }


def _step_model_calls(step: dict[str, Any], transcript: Any, n: int) -> list[dict[str, Any]]:
    calls = step.get("model_calls")
    if isinstance(calls, list):
        return [c for c in calls if isinstance(c, dict)]
    if isinstance(transcript, list):
        return [
            e
            for e in transcript
            if isinstance(e, dict)
            and (e.get("type") == "model_call" or e.get("kind") == "model_call")
            and int(e.get("step", 1) or 1) == n
        ]
    return []


def _model_call_usage(call: dict[str, Any], model: str | None) -> dict[str, Any]:
    usage = call.get("usage") if isinstance(call.get("usage"), dict) else {}
    assert isinstance(usage, dict)
    prompt = call.get("prompt_tokens", usage.get("prompt_tokens"))
    completion = call.get("completion_tokens", usage.get("completion_tokens"))
    cost = call.get("cost_usd", call.get("cost", usage.get("cost_usd")))
    duration = call.get("duration_ms", call.get("latency_ms"))
    return {
        "model": call.get("model") or model,
        "prompt_tokens": int(prompt or 0),
        "completion_tokens": int(completion or 0),
        "unmetered": prompt is None and completion is None,
        "cost_usd": float(cost) if cost is not None else None,
        "duration_ms": float(duration or 0.0),
    }
