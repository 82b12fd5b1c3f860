"""What a model is shown after a tool call: the harness's record as a small JSON object.

Every tool-calling driver uses this one function (the `openai` agent, the Inspect
solver, the MCP server), so a model sees the same result whichever way it reached
reev's tools.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from reev.agents.base import AgentHarness
from reev.results.chain import Observation


def run_tool_for_model(
    harness: AgentHarness, name: str, arguments: str | Mapping[str, Any]
) -> dict[str, Any]:
    """Run a tool through the harness and return the structured result for the model.

    `arguments` may be the model's raw JSON text; text that is not a JSON object is
    answered with an error (nothing runs, nothing is recorded).
    """
    if isinstance(arguments, str):
        try:
            decoded = json.loads(arguments) if arguments.strip() else {}
        except json.JSONDecodeError as exc:
            return {"status": "error", "error": f"arguments are not valid JSON: {exc.msg}"}
        if not isinstance(decoded, dict):
            return {"status": "error", "error": "arguments must be a JSON object"}
        arguments = decoded
    before = harness.observe()
    record = harness.call_tool(name, arguments)
    payload: dict[str, Any] = {"status": record.status}
    if record.error:
        payload["error"] = record.error
    if record.result:
        payload["result"] = record.result
    if "transaction" in record.result:
        payload["balances_after"] = balance_changes(before, harness.observe())
    return payload


def balance_changes(before: Observation, after: Observation) -> dict[str, dict[str, Any]]:
    """Accounts of the task whose SOL or token balance changed, by placeholder name."""
    names = {pk: name for name, pk in after.key_map.items() if name != pk}
    out: dict[str, dict[str, Any]] = {}
    for pk, state in after.accounts.items():
        old = before.accounts.get(pk)
        old_tokens = old.token.amount if old and old.token else None
        new_tokens = state.token.amount if state.token else None
        if old is not None and old.lamports == state.lamports and old_tokens == new_tokens:
            continue
        entry: dict[str, Any] = {"address": pk, "lamports": state.lamports}
        if new_tokens is not None:
            entry["token_amount"] = new_tokens
        out[names.get(pk, pk)] = entry
    return out


def dump_payload(payload: Any) -> str:
    """The compact JSON text a model receives."""
    return json.dumps(payload, default=str, separators=(",", ":"))
