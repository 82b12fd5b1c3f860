"""One chat completion, normalised: the same shape from a plain response or a stream.

Provider failures are sorted here into transient ones (retried by `retry.py`) and
final ones (the episode ends with status "error" and the reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import openai
from openai import AsyncOpenAI, AsyncStream
from openai.types.chat import ChatCompletion, ChatCompletionChunk

from reev.agents.retry import TransientError, parse_retry_after, retryable_status


class ProviderError(Exception):
    """A provider failure that retrying cannot fix (bad key, unknown model, bad response)."""


@dataclass
class ToolCallRequest:
    """A tool call the model asked for; `arguments` is the raw JSON text it wrote."""

    id: str
    name: str
    arguments: str


@dataclass
class Completion:
    """The assistant's reply to one call."""

    content: str | None = None
    refusal: str | None = None
    tool_calls: list[ToolCallRequest] = field(default_factory=list)
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    def assistant_message(self) -> dict[str, Any]:
        """The reply as a chat message to append to the conversation."""
        message: dict[str, Any] = {"role": "assistant", "content": self.content}
        if self.tool_calls:
            message["tool_calls"] = [
                {
                    "id": c.id,
                    "type": "function",
                    "function": {"name": c.name, "arguments": c.arguments},
                }
                for c in self.tool_calls
            ]
        return message


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


async def request_completion(
    client: AsyncOpenAI, request: dict[str, Any], *, stream: bool, timeout: float | None = None
) -> Completion:
    """Make one call; TransientError or ProviderError on failure.

    `timeout` (seconds) bounds this one request: the agent passes what is left of the
    episode's budget, so a slow first call is not cut off and retried by a fixed timeout.

    The request goes through the SDK's generic `post` (its documented way to send a body
    as is): `chat.completions.create` re-validates the whole typed body — every message
    and tool schema — on each call, which cost more CPU than the rest of an episode.
    """
    try:
        options: Any = {"timeout": timeout} if timeout is not None else {}
        if stream:
            return await _streamed(client, request, options)
        response = await client.post(
            "/chat/completions", cast_to=ChatCompletion, body=request, options=options
        )
        return _from_response(response)
    except openai.APIStatusError as exc:
        message = f"HTTP {exc.status_code}: {_short(exc.message)}"
        if retryable_status(exc.status_code):
            raise TransientError(message, parse_retry_after(exc.response.headers)) from exc
        raise ProviderError(message) from exc
    except openai.APITimeoutError as exc:
        raise TransientError("request timed out") from exc
    except openai.APIConnectionError as exc:
        cause = exc.__cause__ or exc
        raise TransientError(f"connection failed: {_short(str(cause))}") from exc
    except openai.OpenAIError as exc:
        raise ProviderError(f"bad response: {_short(str(exc))}") from exc


def _from_response(response: Any) -> Completion:
    if not getattr(response, "choices", None):
        raise ProviderError("bad response: no choices")
    choice = response.choices[0]
    message = choice.message
    usage = getattr(response, "usage", None)
    return Completion(
        content=message.content,
        refusal=getattr(message, "refusal", None),
        tool_calls=[
            ToolCallRequest(c.id, c.function.name, c.function.arguments or "")
            for c in (message.tool_calls or [])
            if getattr(c, "function", None) is not None
        ],
        finish_reason=choice.finish_reason,
        prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None,
    )


async def _streamed(client: AsyncOpenAI, request: dict[str, Any], options: Any) -> Completion:
    """Assemble a streamed reply: content and refusal deltas, tool calls by index, usage."""
    out = Completion()
    content: list[str] = []
    refusal: list[str] = []
    calls: dict[int, ToolCallRequest] = {}
    stream = await client.post(
        "/chat/completions",
        cast_to=ChatCompletion,
        body={**request, "stream": True, "stream_options": {"include_usage": True}},
        options=options,
        stream=True,
        stream_cls=AsyncStream[ChatCompletionChunk],
    )
    async with stream:
        async for chunk in stream:
            if chunk.usage is not None:
                out.prompt_tokens = chunk.usage.prompt_tokens
                out.completion_tokens = chunk.usage.completion_tokens
            for choice in chunk.choices:
                delta = choice.delta
                if delta.content:
                    content.append(delta.content)
                if getattr(delta, "refusal", None):
                    refusal.append(delta.refusal or "")
                for tc in delta.tool_calls or []:
                    call = calls.setdefault(tc.index, ToolCallRequest("", "", ""))
                    if tc.id:
                        call.id = tc.id
                    if tc.function is not None:
                        call.name += tc.function.name or ""
                        call.arguments += tc.function.arguments or ""
                if choice.finish_reason:
                    out.finish_reason = choice.finish_reason
    out.content = "".join(content) or None
    out.refusal = "".join(refusal) or None
    out.tool_calls = [calls[i] for i in sorted(calls)]
    for i, call in enumerate(out.tool_calls):
        call.id = call.id or f"call-{i}"
    return out
