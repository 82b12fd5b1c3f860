"""A loopback fake of reev's agent service (`reev-agent`): `GET /health`, `POST /gen/tx`.

Like reev's deterministic agent, it reads the key map out of the YAML `context_prompt`
(not from `key_map`) and answers by benchmark id, so the test proves the request carries
what reev's agents parse.
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

import yaml
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from tests.fakes.loopback import LoopbackServer

Answer = Callable[[dict[str, Any], dict[str, str]], tuple[int, Any]]


def key_map_from_context(context_prompt: str) -> dict[str, str]:
    """reev's deterministic agent's parse: the YAML after 'CURRENT ON-CHAIN CONTEXT:'."""
    text = context_prompt.split("CURRENT ON-CHAIN CONTEXT:\n", 1)[1]
    text = text.split("\n\n🔑 CRITICAL", 1)[0]
    doc = yaml.safe_load(text)
    return dict(doc["🔑 RESOLVED_ADDRESSES_FOR_OPERATIONS"])


class FakeReevAgentService:
    """`with FakeReevAgentService(answer) as svc: svc.url` — records request bodies."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.app = FastAPI()
        self.app.get("/health")(self._health)
        self.app.post("/gen/tx")(self._gen_tx)
        self._server = LoopbackServer(self.app)

    @property
    def url(self) -> str:
        return self._server.url

    def __enter__(self) -> FakeReevAgentService:
        self._server.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.__exit__(exc_type, exc, tb)

    async def _health(self) -> Response:
        return Response(status_code=200)

    async def _gen_tx(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        status, payload = self.answer(body, key_map_from_context(body["context_prompt"]))
        return JSONResponse(payload, status_code=status)
