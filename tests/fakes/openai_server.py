"""A scripted OpenAI-compatible chat-completions server, for tests and benches only.

A script is a function from the request body to a `Reply`; it decides from the
conversation (e.g. how many tool results it has seen), so it is stateless and gives the
same answers whatever the concurrency. Streaming (`"stream": true`) is answered as
server-sent events in OpenAI's chunk format, tool-call arguments split across chunks.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from tests.fakes.loopback import LoopbackServer


@dataclass
class Reply:
    """What the fake model answers to one request."""

    content: str | None = None
    tool_calls: list[tuple[str, dict[str, Any] | str]] = field(default_factory=list)
    refusal: str | None = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    prompt_tokens: int = 120
    completion_tokens: int = 30
    finish_reason: str | None = None  # default: "tool_calls" with calls, else "stop"

    @classmethod
    def text(cls, content: str) -> Reply:
        return cls(content=content)

    @classmethod
    def call(cls, name: str, args: dict[str, Any] | str) -> Reply:
        return cls(tool_calls=[(name, args)])

    @classmethod
    def calls(cls, *calls: tuple[str, dict[str, Any] | str]) -> Reply:
        return cls(tool_calls=list(calls))

    @classmethod
    def error(cls, status: int, headers: dict[str, str] | None = None) -> Reply:
        return cls(status=status, headers=headers or {})


Script = Callable[[dict[str, Any]], Reply]


def tool_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The parsed `tool` messages of a request, in order."""
    return [json.loads(m["content"]) for m in body["messages"] if m.get("role") == "tool"]


def harness_results(content: str) -> list[dict[str, Any]]:
    """The results in a JSON-mode `<tool_results>` block (reev.agents.json_mode)."""
    start = content.index("<tool_results>") + len("<tool_results>")
    end = content.index("</tool_results>")
    parsed: list[dict[str, Any]] = json.loads(content[start:end])
    return parsed


def assistant_turns(body: dict[str, Any]) -> int:
    """How many assistant messages the conversation already has."""
    return sum(1 for m in body["messages"] if m.get("role") == "assistant")


def _arguments(args: dict[str, Any] | str) -> str:
    return args if isinstance(args, str) else json.dumps(args)


class ScriptedOpenAI:
    """`with ScriptedOpenAI(script) as llm: llm.base_url` — records every request it gets."""

    def __init__(self, script: Script, delay: float = 0.0, chunk_delay: float = 0.0) -> None:
        self.script = script
        self.delay = delay
        # streaming: the pause before each chunk, like a slow model generating tokens; a
        # client that goes away mid-stream is counted in `disconnects`
        self.chunk_delay = chunk_delay
        self.disconnects = 0
        self.chunks_sent = 0
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.app = FastAPI()
        self.app.post("/v1/chat/completions")(self._complete)
        self.app.get("/v1/models")(self._models)
        self._server = LoopbackServer(self.app)

    @property
    def base_url(self) -> str:
        return self._server.url + "/v1"

    def __enter__(self) -> ScriptedOpenAI:
        self._server.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.__exit__(exc_type, exc, tb)

    async def _models(self) -> dict[str, Any]:
        return {"object": "list", "data": [{"id": "scripted", "object": "model"}]}

    async def _complete(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        if self.delay:
            await asyncio.sleep(self.delay)
        reply = self.script(body)
        if reply.status != 200:
            return JSONResponse(
                {"error": {"message": f"scripted error {reply.status}", "type": "scripted"}},
                status_code=reply.status,
                headers=reply.headers,
            )
        if body.get("stream"):
            return StreamingResponse(self._paced(body, reply), media_type="text/event-stream")
        return JSONResponse(self._completion(body, reply))

    @staticmethod
    def _usage(reply: Reply) -> dict[str, int]:
        return {
            "prompt_tokens": reply.prompt_tokens,
            "completion_tokens": reply.completion_tokens,
            "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        }

    def _completion(self, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        turn = assistant_turns(body)
        message: dict[str, Any] = {
            "role": "assistant",
            "content": reply.content,
            "refusal": reply.refusal,
        }
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": f"call_{turn}_{i}",
                    "type": "function",
                    "function": {"name": name, "arguments": _arguments(args)},
                }
                for i, (name, args) in enumerate(reply.tool_calls)
            ]
        return {
            "id": f"chatcmpl-{turn}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "scripted"),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": reply.finish_reason
                    or ("tool_calls" if reply.tool_calls else "stop"),
                }
            ],
            "usage": self._usage(reply),
        }

    async def _paced(self, body: dict[str, Any], reply: Reply) -> AsyncIterator[str]:
        try:
            async for chunk in self._chunks(body, reply):
                if self.chunk_delay:
                    await asyncio.sleep(self.chunk_delay)
                self.chunks_sent += 1
                yield chunk
        except (asyncio.CancelledError, GeneratorExit):
            self.disconnects += 1
            raise

    async def _chunks(self, body: dict[str, Any], reply: Reply) -> AsyncIterator[str]:
        turn = assistant_turns(body)
        base = {
            "id": f"chatcmpl-{turn}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": body.get("model", "scripted"),
        }

        def chunk(delta: dict[str, Any], finish: str | None = None) -> str:
            data = {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
            return f"data: {json.dumps(data)}\n\n"

        yield chunk({"role": "assistant", "content": ""})
        if reply.content:
            half = len(reply.content) // 2
            for part in (reply.content[:half], reply.content[half:]):
                yield chunk({"content": part})
        if reply.refusal:
            yield chunk({"refusal": reply.refusal})
        for i, (name, args) in enumerate(reply.tool_calls):
            text = _arguments(args)
            half = len(text) // 2
            yield chunk(
                {
                    "tool_calls": [
                        {
                            "index": i,
                            "id": f"call_{turn}_{i}",
                            "type": "function",
                            "function": {"name": name, "arguments": text[:half]},
                        }
                    ]
                }
            )
            yield chunk({"tool_calls": [{"index": i, "function": {"arguments": text[half:]}}]})
        yield chunk({}, reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop"))
        if (body.get("stream_options") or {}).get("include_usage"):
            yield f"data: {json.dumps({**base, 'choices': [], 'usage': self._usage(reply)})}\n\n"
        yield "data: [DONE]\n\n"
