"""The `http` agent: an external agent service speaking reev's `POST /gen/tx` protocol.

Agents built for reev can be evaluated unchanged. Per step, reev's request body
`{id, session_id, prompt, context_prompt, model_name, account_states, key_map}` is sent
(`id` is `<benchmark>-step-N` in flows); the answer's `transactions` (items: RawInstruction,
a list of them, `{"instructions": [...]}`, or any of these as a JSON string) or
`result.text` (a JSON string of one RawInstruction or a list) are executed by the harness
as one transaction, like reev did. reev's last resort — scraping JSON out of a free-text
`summary` — is deliberately not supported.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx
import yaml
from pydantic import ValidationError

from reev.agents.base import AgentError, AgentHarness, StepTask
from reev.agents.retry import (
    RetriesExhausted,
    RetryOutcome,
    RetryPolicy,
    TransientError,
    call_with_retries,
    parse_retry_after,
    retryable_status,
)
from reev.benchmark.model import Benchmark
from reev.results.chain import Observation
from reev.results.instruction import RawInstruction
from reev.results.records import ModelCallRecord, utc_now

DEFAULT_URL = "http://localhost:9090/gen/tx"


def service_url(base_url: str | None, environ: Mapping[str, str] | None = None) -> str:
    """The `/gen/tx` URL: `--base-url` (with or without the path), `$LLM_API_URL`, or reev's."""
    env = os.environ if environ is None else environ
    url = (base_url or env.get("LLM_API_URL") or DEFAULT_URL).rstrip("/")
    return url if url.endswith("/gen/tx") else url + "/gen/tx"


def reev_account_states(observation: Observation) -> dict[str, dict[str, Any]]:
    """reev's `account_states`: per placeholder, lamports/owner/…, token fields, `exists`."""
    out: dict[str, dict[str, Any]] = {}
    for name, state in observation.by_placeholder().items():
        entry: dict[str, Any] = {
            "lamports": state.lamports,
            "owner": state.owner or "11111111111111111111111111111111",
            "executable": state.executable,
            "data_len": state.data_len,
        }
        if state.token is not None:
            entry.update(
                mint=state.token.mint,
                token_account_owner=state.token.owner,
                amount=state.token.amount,
            )
        if not state.exists:
            entry["exists"] = False
        out[name] = entry
    return out


def reev_context_prompt(key_map: Mapping[str, str], account_states: Mapping[str, Any]) -> str:
    """reev's `context_prompt` (its YAML context block), which reev's agents parse."""
    doc = {
        "🔑 RESOLVED_ADDRESSES_FOR_OPERATIONS": dict(key_map),
        "account_states": dict(account_states),
        "fee_payer_placeholder": "USER_WALLET_PUBKEY",
        "📝 INSTRUCTIONS": {
            "use_resolved_addresses": "ALWAYS use addresses from 🔑 "
            "RESOLVED_ADDRESSES_FOR_OPERATIONS section, NOT placeholder names",
        },
    }
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    return (
        "\n\nCURRENT ON-CHAIN CONTEXT:\n"
        + text
        + "\n\n🔑 CRITICAL: ALWAYS use addresses from '🔑 RESOLVED_ADDRESSES_FOR_OPERATIONS' "
        "section - NEVER use placeholder names directly"
    )


def _flatten(item: Any, where: str) -> list[Any]:
    if isinstance(item, str):
        try:
            item = json.loads(item)
        except json.JSONDecodeError as exc:
            raise AgentError(f"{where}: not JSON: {exc.msg}") from exc
    if isinstance(item, list):
        return [ix for i, sub in enumerate(item) for ix in _flatten(sub, f"{where}[{i}]")]
    if isinstance(item, dict) and isinstance(item.get("instructions"), list):
        return _flatten(item["instructions"], f"{where}.instructions")
    if isinstance(item, dict):
        return [item]
    raise AgentError(f"{where}: expected an instruction object or a list")


def instructions_from_response(body: Any) -> list[RawInstruction]:
    """The RawInstructions of a `/gen/tx` answer; AgentError when they are malformed."""
    if not isinstance(body, dict):
        raise AgentError("agent service answered with a non-object JSON body")
    raw: list[Any] = []
    if body.get("transactions"):
        raw = _flatten(body["transactions"], "transactions")
    elif isinstance(body.get("result"), dict) and body["result"].get("text"):
        raw = _flatten(body["result"]["text"], "result.text")
    out = []
    for i, item in enumerate(raw):
        try:
            out.append(RawInstruction.model_validate(item))
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise AgentError(f"instruction {i}: {loc}: {first['msg']}") from exc
    return out


class HttpAgent:
    """Asks a reev agent service for each step's instructions; the harness executes them."""

    name = "http"

    def __init__(
        self,
        url: str,
        *,
        model_name: str | None = None,
        api_key: str | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 300.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.url = url
        self.model: str | None = model_name or "default-model"
        self._api_key = api_key
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self._sleep = sleep
        self._benchmark_id = ""
        self._session_id = ""
        self._flow = False

    def __repr__(self) -> str:
        return f"HttpAgent(url={self.url!r}, model={self.model!r})"

    def start_episode(self, benchmark: Benchmark) -> None:
        """A new session id per episode; ground truth is not read."""
        self._benchmark_id = benchmark.id
        self._flow = benchmark.step_count > 1
        self._session_id = str(uuid.uuid4())

    def payload(self, task: StepTask) -> dict[str, Any]:
        """reev's `LlmRequest` body for a step."""
        states = reev_account_states(task.observation)
        key_map = dict(task.observation.key_map)
        return {
            "id": f"{task.benchmark_id}-step-{task.step}" if self._flow else task.benchmark_id,
            "session_id": self._session_id,
            "prompt": task.prompt,
            "context_prompt": reev_context_prompt(key_map, states),
            "model_name": self.model,
            "account_states": states,
            "key_map": key_map,
        }

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        """POST the step, execute the answer's instructions as one transaction."""
        body = self.payload(task)
        harness.record_message({"role": "user", "content": body})
        record = ModelCallRecord(
            turn=task.step, model=self.model or "", messages_in=[body], started_at=utc_now()
        )
        outcome = RetryOutcome()
        t0 = time.perf_counter()
        headers = {"X-API-Key": self._api_key} if self._api_key else {}
        async with httpx.AsyncClient(timeout=self.timeout, headers=headers) as client:

            async def attempt() -> Any:
                return await self._post(client, body)

            try:
                answer = await call_with_retries(attempt, self.retry, outcome, sleep=self._sleep)
            except (RetriesExhausted, AgentError) as exc:
                record.status, record.error = "error", str(exc)
                self._finish(record, outcome, t0, harness)
                raise AgentError(f"agent service failed: {exc}") from exc
        record.message_out = {"role": "assistant", "content": answer}
        self._finish(record, outcome, t0, harness)
        harness.record_message({"role": "assistant", "content": answer})
        instructions = instructions_from_response(answer)
        if not instructions:
            harness.set_stop_reason("answered without instructions")
            return
        tx = harness.execute(instructions)
        if tx.status == "rejected":
            raise AgentError(f"the service's instructions are invalid: {tx.error}")
        harness.set_stop_reason("answered")

    async def _post(self, client: httpx.AsyncClient, body: dict[str, Any]) -> Any:
        try:
            response = await client.post(self.url, json=body)
        except httpx.TimeoutException as exc:
            raise TransientError("request timed out") from exc
        except httpx.TransportError as exc:
            raise TransientError(f"connection failed: {exc}") from exc
        if response.status_code >= 400:
            message = f"HTTP {response.status_code}: {response.text[:300]}"
            if retryable_status(response.status_code):
                raise TransientError(message, parse_retry_after(response.headers))
            raise AgentError(message)
        try:
            return response.json()
        except ValueError as exc:
            raise AgentError(f"agent service answered with invalid JSON: {exc}") from exc

    @staticmethod
    def _finish(
        record: ModelCallRecord, outcome: RetryOutcome, t0: float, harness: AgentHarness
    ) -> None:
        record.latency_ms = (time.perf_counter() - t0) * 1000
        record.attempts = outcome.attempts
        record.retry_waits_s = list(outcome.waits)
        harness.record_model_call(record)
