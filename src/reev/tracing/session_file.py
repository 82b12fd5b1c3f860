"""reev's `session_<execution_id>.json`, written per episode with the real score.

reev wrote `final_result.score` as 1.0/0.0 from transaction success and left `events`
empty; here the score is the episode's score and the events are the tool calls and
transactions that happened.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reev.home import data_dir
from reev.results.records import EpisodeResult, StepRecord, ToolCallRecord
from reev.results.transaction import TransactionRecord


def default_out_dir() -> Path:
    """Where session files go unless a folder is named: `$REEV_HOME` (so
    `$REEV_HOME/sessions/`), never the working directory."""
    return data_dir()


def session_document(result: EpisodeResult) -> dict[str, Any]:
    """The session JSON document of one episode."""
    start = result.started_at.timestamp()
    end = start + result.duration_ms / 1000
    events: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    for step in result.steps:
        for model_call in step.model_calls:  # LLM agents' transcript (docs/agents.md)
            events.append(
                {
                    "timestamp": model_call.started_at.isoformat(),
                    "event_type": "ModelCall",
                    "depth": step.step,
                    "data": model_call.model_dump(mode="json"),
                }
            )
        for call in step.tool_calls:
            events.append(
                {
                    "timestamp": call.started_at.isoformat(),
                    "event_type": "ToolCall",
                    "depth": step.step,
                    "data": call.model_dump(mode="json"),
                }
            )
        for tx in step.transactions:
            events.append(
                {
                    "timestamp": None,
                    "event_type": "TransactionExecution",
                    "depth": step.step,
                    "data": tx.model_dump(mode="json"),
                }
            )
        last = step.transaction
        steps.append(
            {
                "step": step.step,
                "prompt": step.prompt,
                "description": step.description,
                "critical": step.critical,
                "skipped": step.skipped,
                "score": step.score,
                "passed": step.passed,
                "error": step.error,
                "thought": None,
                "action": [ix.model_dump(mode="json") for ix in step.instructions],
                "observation": {
                    "last_transaction_status": (
                        "Success" if last and last.succeeded else "Failure"
                    ),
                    "last_transaction_error": (last.error if last else step.error),
                    "last_transaction_logs": last.logs if last else [],
                    "account_states": {
                        k: v.model_dump(mode="json") for k, v in result.accounts_after.items()
                    },
                    "key_map": result.key_map,
                },
                "info": {"error": step.error} if step.error else {},
            }
        )
    status = "Error" if result.status == "error" else "Succeeded" if result.passed else "Failed"
    return {
        "session_id": result.execution_id,
        "benchmark_id": result.benchmark_id,
        "agent_type": result.agent,
        "start_time": int(start),
        "end_time": int(end),
        "events": events,
        "final_result": {
            "success": result.passed,
            "score": result.score,
            "status": status,
            "execution_time_ms": round(result.duration_ms),
            "scoring": result.scoring,
            "scores": result.scores.model_dump(mode="json"),
            "flow": result.flow.model_dump(mode="json") if result.flow else None,
            "error": result.error,
            "data": {"prompt": result.prompt, "steps": steps},
            "tools": [
                {
                    "tool_name": c.tool,
                    "start_time": c.started_at.isoformat(),
                    "duration_ms": c.duration_ms,
                    "params": c.args,
                    "result": c.result,
                    "status": "success" if c.status == "ok" else "error",
                }
                for s in result.steps
                for c in s.tool_calls
            ],
        },
    }


def write_session_file(result: EpisodeResult, out_dir: Path | None = None) -> Path:
    """Write `<out_dir>/sessions/session_<execution_id>.json` (default: under
    `default_out_dir()`) and return its path."""
    folder = (out_dir if out_dir is not None else default_out_dir()) / "sessions"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"session_{result.execution_id}.json"
    # Compact JSON: json's C encoder runs only without `indent` (pretty-printing fell back
    # to the pure-Python encoder and cost more than the episode itself; `jq .` reads it).
    path.write_text(json.dumps(session_document(result)), encoding="utf-8")
    return path


class SessionFileError(ValueError):
    """A document that is JSON but not a session file; the message names the field."""


def _object(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SessionFileError(f"{where}: expected an object, not {type(value).__name__}")
    return value


def _array(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SessionFileError(f"{where}: expected a list, not {type(value).__name__}")
    return value


def episode_from_session(document: Any) -> EpisodeResult:
    """Rebuild an EpisodeResult (steps, tool calls, transactions) from a session document.

    Enough for the flow diagram and the transaction-log tree of an episode that was only
    written to a session file; model transcripts and account states are not restored.
    A document of another shape is a SessionFileError naming the first wrong field.
    """
    try:
        return _episode(_object(document, "document"))
    except ValidationError as exc:
        raise _invalid(exc, "") from None


def _invalid(exc: ValidationError, where: str) -> SessionFileError:
    first = exc.errors()[0]
    path = ".".join([where, *(str(x) for x in first["loc"])] if where else map(str, first["loc"]))
    return SessionFileError(f"{path or 'value'}: {first['msg']}")


def _record(model: type[Any], value: Any, where: str) -> Any:
    try:
        return model.model_validate(_object(value, where))
    except ValidationError as exc:
        raise _invalid(exc, where) from None


def _episode(document: dict[str, Any]) -> EpisodeResult:
    final = _object(document.get("final_result"), "final_result")
    data = _object(final.get("data"), "final_result.data")
    steps: list[StepRecord] = []
    for n, item in enumerate(_array(data.get("steps"), "final_result.data.steps"), start=1):
        raw = _object(item, f"final_result.data.steps[{n - 1}]")
        info = _object(raw.get("info"), f"final_result.data.steps[{n - 1}].info")
        fields = {
            "step": raw.get("step", n),
            "prompt": raw.get("prompt", ""),
            "description": raw.get("description", ""),
            "critical": raw.get("critical", False),
            "skipped": raw.get("skipped", False),
            "score": raw.get("score"),
            "passed": raw.get("passed"),
            "error": raw.get("error", info.get("error")),
        }
        steps.append(_record(StepRecord, fields, f"final_result.data.steps[{n - 1}]"))
    by_number = {s.step: s for s in steps}
    for i, item in enumerate(_array(document.get("events"), "events")):
        event = _object(item, f"events[{i}]")
        depth = event.get("depth")
        step = by_number.get(depth) if isinstance(depth, int) else None
        if step is None:
            continue
        if event.get("event_type") == "ToolCall":
            step.tool_calls.append(_record(ToolCallRecord, event.get("data"), f"events[{i}].data"))
        elif event.get("event_type") == "TransactionExecution":
            step.transactions.append(
                _record(TransactionRecord, event.get("data"), f"events[{i}].data")
            )
    status = final.get("status")
    return EpisodeResult(
        benchmark_id=document.get("benchmark_id", ""),
        agent=document.get("agent_type", ""),
        seed=0,
        execution_id=document.get("session_id", ""),
        status="error" if status == "Error" else "completed",
        error=final.get("error"),
        score=final.get("score") or 0.0,
        passed=bool(final.get("success")),
        scoring=final.get("scoring", "outcome"),
        steps=steps,
        flow=final.get("flow"),
        prompt=data.get("prompt", ""),
        duration_ms=final.get("execution_time_ms") or 0.0,
    )
