"""The parts of the LLM agents: presets and keys, retry policy, JSON tool-call parsing, limits."""

from __future__ import annotations

import asyncio
import random
from email.utils import format_datetime

import pytest

from reev.agents.base import AgentError
from reev.agents.json_mode import parse_text_tool_calls
from reev.agents.limits import Budget, Limits
from reev.agents.presets import resolve_endpoint
from reev.agents.registry import AGENTS, create_agent
from reev.agents.retry import (
    RetriesExhausted,
    RetryOutcome,
    RetryPolicy,
    TransientError,
    call_with_retries,
    parse_retry_after,
)
from reev.results.records import utc_now

# --- presets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("preset", "var"),
    [
        ("glm-4.6", "ZAI_API_KEY"),
        ("glm-4.6-coding", "GLM_CODING_API_KEY"),
        ("openai", "OPENAI_API_KEY"),
    ],
)
def test_missing_key_is_an_error_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, preset: str, var: str
) -> None:
    monkeypatch.delenv(var, raising=False)
    with pytest.raises(AgentError, match=var):
        create_agent(preset, model="m")
    assert var in AGENTS[preset].needs


def test_glm_presets_point_at_zai(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"ZAI_API_KEY": "k1", "GLM_CODING_API_KEY": "k2"}
    general = resolve_endpoint("glm-4.6", environ=env)
    coding = resolve_endpoint("glm-4.6-coding", environ=env)
    assert (general.base_url, general.model, general.api_key) == (
        "https://api.z.ai/api/paas/v4",
        "glm-4.6",
        "k1",
    )
    assert coding.base_url == "https://api.z.ai/api/coding/paas/v4" and coding.api_key == "k2"
    assert "k1" not in repr(general)


def test_local_preset_reads_its_variables() -> None:
    default = resolve_endpoint("local", environ={})
    assert default.base_url == "http://localhost:1234/v1" and default.api_key is None
    env = {"LOCAL_MODEL_URL": "http://127.0.0.1:8080/v1/", "LOCAL_MODEL_NAME": "qwen"}
    custom = resolve_endpoint("local", environ=env)
    assert (custom.base_url, custom.model) == ("http://127.0.0.1:8080/v1", "qwen")
    assert resolve_endpoint("local", model="other", environ=env).model == "other"


def test_openai_needs_a_model_and_a_key_only_for_openai_itself() -> None:
    with pytest.raises(AgentError, match="--model"):
        resolve_endpoint("openai", environ={"OPENAI_API_KEY": "k"})
    vllm = resolve_endpoint("openai", model="m", base_url="http://127.0.0.1:8000/v1", environ={})
    assert vllm.api_key is None and vllm.base_url == "http://127.0.0.1:8000/v1"


def test_unknown_agent_is_an_error() -> None:
    with pytest.raises(AgentError, match="unknown agent 'gpt-4o'"):
        create_agent("gpt-4o")


def test_bad_options_are_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    with pytest.raises(AgentError, match="max_turns"):
        create_agent("openai", model="m", max_turns=0)
    with pytest.raises(AgentError, match="tool mode"):
        create_agent("openai", model="m", tool_mode="xml")


# --- retries ---------------------------------------------------------------------------


def test_retry_after_forms() -> None:
    assert parse_retry_after({"Retry-After": "3"}) == 3.0
    assert parse_retry_after({"retry-after-ms": "250"}) == 0.25
    assert parse_retry_after({}) is None
    assert parse_retry_after({"Retry-After": "soon"}) is None
    later = format_datetime(utc_now().replace(microsecond=0), usegmt=True)
    value = parse_retry_after({"Retry-After": later})
    assert value is not None and 0.0 <= value <= 1.0


def test_backoff_doubles_with_bounded_jitter() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=5.0, jitter=0.25)
    rng = random.Random(7)
    for attempt, nominal in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 5.0), (9, 5.0)]:
        delay = policy.backoff(attempt, rng)
        assert nominal * 0.75 <= delay <= nominal * 1.25
    values = {policy.backoff(1, rng) for _ in range(10)}
    assert len(values) > 1  # jitter


def test_call_with_retries_gives_up_and_reports_waits() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def always() -> int:
        raise TransientError("HTTP 503", retry_after=None)

    outcome = RetryOutcome()
    policy = RetryPolicy(retries=3, base_delay=0.5, jitter=0.0)
    with pytest.raises(RetriesExhausted, match="after 4 attempts"):
        asyncio.run(call_with_retries(always, policy, outcome, sleep=sleep))
    assert waits == [0.5, 1.0, 2.0] and outcome.attempts == 4


def test_retry_after_is_capped_by_max_delay() -> None:
    calls = []

    async def sleep(seconds: float) -> None:
        calls.append(seconds)

    async def once() -> str:
        if not calls:
            raise TransientError("HTTP 429", retry_after=3600)
        return "ok"

    outcome = RetryOutcome()
    result = asyncio.run(call_with_retries(once, RetryPolicy(max_delay=7.0), outcome, sleep=sleep))
    assert result == "ok" and calls == [7.0] and outcome.attempts == 2


# --- JSON tool-call mode ---------------------------------------------------------------


def test_json_mode_parses_fenced_and_bare_calls() -> None:
    text = 'Sure.\n```json\n{"tool_calls": [{"name": "a", "arguments": {"x": 1}}, {"name": "b", "arguments": "{\\"y\\": 2}"}]}\n```'
    calls = parse_text_tool_calls(text, turn=2)
    assert calls is not None
    assert [(c.name, c.arguments) for c in calls] == [("a", {"x": 1}), ("b", {"y": 2})]
    assert calls[0].id == "text-2-0"
    single = parse_text_tool_calls(
        '{"name": "get_account_balance", "arguments": {"pubkey": "P"}}', 1
    )
    assert single is not None and single[0].arguments == {"pubkey": "P"}


def test_json_mode_final_answers_and_instructions_are_not_calls() -> None:
    assert parse_text_tool_calls("All done, 0.1 SOL sent.", 1) is None
    raw = '{"program_id": "1111", "accounts": [], "data": "3Bxs"}'
    assert parse_text_tool_calls(f"Here: {raw}", 1) is None
    assert parse_text_tool_calls("{broken json", 1) is None


# --- limits ----------------------------------------------------------------------------


def test_budget_reports_the_first_limit_hit() -> None:
    budget = Budget(Limits(max_turns=2, max_tool_calls=1, max_tokens=1000))
    assert budget.before_turn() is None
    budget.turns, budget.tokens = 1, 1000
    assert budget.before_turn() == "limit: max_tokens (1000) reached, 1000 used"
    fresh = Budget(Limits(max_tool_calls=1))
    assert fresh.take_tool_call() is None
    assert fresh.take_tool_call() == "limit: max_tool_calls (1) reached"
    with pytest.raises(ValueError):
        Limits(max_seconds=0)
