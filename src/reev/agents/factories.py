"""Build the `openai`-family and `http` agents from `create_agent` options.

Options (all optional, None means the default): `model`, `base_url`, `max_turns`,
`max_tool_calls`, `max_tokens`, `max_seconds`, `retries`, `retry_base_delay`,
`tool_mode` ("native" | "json" | "grammar"), `stream`, `price_in` / `price_out` (USD per
million prompt / completion tokens), `temperature`, `top_p`, `model_seed`,
`max_reply_tokens`, `request_timeout`, `results_role` ("user" | "tool"), `cache` (a
`ResponseCache`, e.g. the run's `reev.store.cache.RequestCache`). The preset supplies
defaults for `stream`, `results_role` and the grammar's request format. A bad value is
an AgentError.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from reev.agents.base import Agent, AgentError
from reev.agents.limits import Limits
from reev.agents.presets import PRESETS, ModelPreset, resolve_endpoint
from reev.agents.retry import RetryPolicy

if TYPE_CHECKING:
    from reev.agents.openai_agent import AgentConfig

# The openai SDK, httpx and the store load only when such an agent is built: a run of the
# reference agent (or `reev agents`) does not pay their import time (bench/end_to_end.py).

_LIMIT_OPTIONS = ("max_turns", "max_tool_calls", "max_tokens", "max_seconds")


def _retry_policy(options: dict[str, Any]) -> RetryPolicy:
    given: dict[str, Any] = {}
    if options.get("retries") is not None:
        given["retries"] = int(options["retries"])
    if options.get("retry_base_delay") is not None:
        given["base_delay"] = float(options["retry_base_delay"])
    try:
        return RetryPolicy(**given)
    except ValueError as exc:
        raise AgentError(str(exc)) from exc


def _number(options: dict[str, Any], name: str, low: float, high: float | None) -> float | None:
    value = options.get(name)
    if value is None:
        return None
    number = float(value)
    if number < low or (high is not None and number > high):
        bound = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise AgentError(f"{name} must be {bound}, not {value!r}")
    return number


def agent_config(options: dict[str, Any], preset: ModelPreset | None = None) -> AgentConfig:
    """An AgentConfig from create_agent options; AgentError on a bad value."""
    from reev.agents.openai_agent import TOOL_MODES, AgentConfig, Pricing

    limits = {k: options[k] for k in _LIMIT_OPTIONS if options.get(k) is not None}
    try:
        lim = Limits(**limits)
    except ValueError as exc:
        raise AgentError(str(exc)) from exc
    mode = options.get("tool_mode") or "native"
    if mode not in TOOL_MODES:
        raise AgentError(f"tool mode must be one of {', '.join(TOOL_MODES)}, not {mode!r}")
    role = options.get("results_role") or (preset.results_role if preset else "user")
    if role not in ("user", "tool"):
        raise AgentError(f"results role must be 'user' or 'tool', not {role!r}")
    reply_cap = options.get("max_reply_tokens")
    if reply_cap is not None and int(reply_cap) < 1:
        raise AgentError(f"max_reply_tokens must be positive, not {reply_cap!r}")
    seed = options.get("model_seed")
    stream = options.get("stream")
    price_in, price_out = options.get("price_in"), options.get("price_out")
    pricing = None
    if price_in is not None or price_out is not None:
        pricing = Pricing(float(price_in or 0.0), float(price_out or 0.0))
    return AgentConfig(
        limits=lim,
        retry=_retry_policy(options),
        tool_mode=mode,  # type: ignore[arg-type]  # checked against TOOL_MODES above
        stream=bool(stream) if stream is not None else bool(preset and preset.stream),
        pricing=pricing,
        temperature=_number(options, "temperature", 0.0, 2.0),
        top_p=_number(options, "top_p", 0.0, 1.0),
        seed=int(seed) if seed is not None else None,
        max_reply_tokens=int(reply_cap) if reply_cap is not None else 1024,
        request_timeout=_number(options, "request_timeout", 0.1, None),
        results_role="tool" if role == "tool" else "user",
        grammar_format="llama.cpp" if preset and preset.grammar_format == "llama.cpp" else "openai",
    )


def openai_factory(preset: str) -> Any:
    """The create_agent factory of one preset (`openai`, `glm-4.6`, ...)."""

    def make(**options: Any) -> Agent:
        from reev.agents.openai_agent import OpenAIAgent

        endpoint = resolve_endpoint(
            preset, model=options.get("model"), base_url=options.get("base_url")
        )
        return OpenAIAgent(
            preset,
            endpoint,
            agent_config(options, PRESETS[preset]),
            cache=options.get("cache"),
        )

    return make


def http_factory(**options: Any) -> Agent:
    """The `http` agent: `--base-url` or `$LLM_API_URL`, key from `$LLM_API_KEY`."""
    from reev.agents.http_agent import HttpAgent, service_url

    return HttpAgent(
        service_url(options.get("base_url")),
        model_name=options.get("model"),
        api_key=os.environ.get("LLM_API_KEY") or None,
        retry=_retry_policy(options),
    )


def preset_needs(preset: str) -> str:
    """What a preset needs, for `reev agents`."""
    return PRESETS[preset].needs()


def preset_description(preset: str) -> str:
    """A preset's one-line description."""
    return PRESETS[preset].description
