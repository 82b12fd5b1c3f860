"""Turn an EpisodeResult into the rows of the normalized tables.

Works on the JSON form (`to_json_dict()`), so fields added to the result later land in
`result_json` untouched. Model calls are read from what LLM agents record: a step's
`model_calls` list, or entries of a top-level `transcript` list whose `type`/`kind` is
`model_call` (with the step number in `step`); tokens from `usage.prompt_tokens` /
`usage.completion_tokens` or top-level `prompt_tokens` / `completion_tokens`, cost from
`cost_usd` (or `cost`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from reev.results.records import EpisodeResult


@dataclass
class EpisodeRows:
    """All rows of one episode, as dicts ready for executemany INSERTs."""

    episode: dict[str, Any]
    steps: list[dict[str, Any]] = field(default_factory=list)
    transactions: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    model_calls: list[dict[str, Any]] = field(default_factory=list)


def episode_rows(
    run_id: str,
    result: EpisodeResult,
    *,
    benchmark_version_id: int | None = None,
    attempt: int = 1,
    recorded_at: datetime | None = None,
) -> EpisodeRows:
    """The rows for one result in run `run_id`."""
    data = result.to_json_dict()
    eid = result.execution_id
    rows = EpisodeRows(episode={})
    steps_json: list[dict[str, Any]] = data.get("steps") or []
    transcript = data.get("transcript")
    for raw in steps_json:
        n = int(raw.get("step", 0))
        rows.steps.append(
            {
                "episode_id": eid,
                "step": n,
                "prompt": raw.get("prompt", ""),
                "error": raw.get("error"),
            }
        )
        for i, tx in enumerate(raw.get("transactions") or []):
            rows.transactions.append(
                {
                    "episode_id": eid,
                    "step": n,
                    "index": i,
                    "status": tx.get("status", ""),
                    "signature": tx.get("signature"),
                    "error": tx.get("error"),
                    "compute_units": int(tx.get("compute_units") or 0),
                    "fee": int(tx.get("fee") or 0),
                    "instructions": tx.get("instructions") or [],
                }
            )
        for i, call in enumerate(raw.get("tool_calls") or []):
            rows.tool_calls.append(
                {
                    "episode_id": eid,
                    "step": n,
                    "index": i,
                    "tool": str(call.get("tool", "")),
                    "status": str(call.get("status", "")),
                    "args": call.get("args") or {},
                    "error": call.get("error"),
                    "transaction_index": call.get("transaction_index"),
                    "duration_ms": float(call.get("duration_ms") or 0.0),
                }
            )
        calls = _step_model_calls(raw, transcript, n)
        for i, call in enumerate(calls):
            rows.model_calls.append(_model_call_row(eid, n, i, call, result.model))
    prompt_tokens = sum(r["prompt_tokens"] for r in rows.model_calls)
    completion_tokens = sum(r["completion_tokens"] for r in rows.model_calls)
    costs = [r["cost_usd"] for r in rows.model_calls if r["cost_usd"] is not None]
    usage = data.get("usage")
    if isinstance(usage, dict) and not rows.model_calls:
        prompt_tokens = int(usage.get("prompt_tokens") or 0)
        completion_tokens = int(usage.get("completion_tokens") or 0)
        cost = usage.get("cost_usd", usage.get("cost"))
        costs = [float(cost)] if cost is not None else []
    rows.episode = {
        "execution_id": eid,
        "run_id": run_id,
        "benchmark_version_id": benchmark_version_id,
        "benchmark_id": result.benchmark_id,
        "agent": result.agent,
        "model": result.model,
        "epoch": result.epoch,
        "seed": result.seed,
        "status": result.status,
        "error": result.error,
        "error_kind": getattr(result, "error_kind", None),
        "failure_kind": getattr(result, "failure_kind", None),
        "first_prompt_tokens": getattr(result, "first_prompt_tokens", None),
        "score": float(result.score),
        "passed": bool(result.passed),
        "scoring": result.scoring,
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "cost_usd": sum(costs) if costs else None,
        "duration_ms": float(result.duration_ms),
        "attempt": attempt,
        "started_at": result.started_at,
        "recorded_at": recorded_at or datetime.now(UTC),
        "result_json": data,
    }
    return rows


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


def _model_call_row(
    eid: str, step: int, index: int, call: dict[str, Any], model: str | None
) -> dict[str, Any]:
    usage = call.get("usage") if isinstance(call.get("usage"), dict) else {}
    assert isinstance(usage, dict)
    prompt = call.get("prompt_tokens", usage.get("prompt_tokens"))
    completion = call.get("completion_tokens", usage.get("completion_tokens"))
    cost = call.get("cost_usd", call.get("cost", usage.get("cost_usd")))
    duration = call.get("duration_ms", call.get("latency_ms"))
    return {
        "episode_id": eid,
        "step": step,
        "index": index,
        "model": call.get("model") or model,
        "prompt_tokens": int(prompt or 0),
        "completion_tokens": int(completion or 0),
        "cost_usd": float(cost) if cost is not None else None,
        "duration_ms": float(duration or 0.0),
        "cached": bool(call.get("cached", False)),
        "data": call,
    }
