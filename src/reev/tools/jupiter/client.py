"""The Jupiter HTTP client the Jupiter tools call, with cassette recording and replay.

Base URL: `--jupiter-url`, else `JUPITER_BASE_URL`, else `https://lite-api.jup.ag` (reev's
default). `JUPITER_API_KEY`, when set, is sent as `x-api-key` (needed by api.jup.ag) and is
never recorded. Every failure — unreachable host, timeout, non-2xx status, a body that is
not JSON — is a `ToolError` naming the upstream, which goes back to the agent as the tool's
error. Nothing is ever invented in its place.

With a cassette, a request already recorded is answered from it (replay, no network); a
new request goes to the API and its answer is recorded — unless the client is replay-only
(`--cassette` without `--fork-url`), where a miss is an error naming the cassette.

Tools find the client of the running episode on their `ToolContext` (`ctx.jupiter`): the
run builds it (`reev.runner.upstreams`) and the episode's harness hands it to every tool.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from reev.chain.cassette import Cassette, HttpExchange, public_origin
from reev.tools.base import ToolError, UpstreamUnavailable

if TYPE_CHECKING:
    import httpx

DEFAULT_JUPITER_URL = "https://lite-api.jup.ag"


class JupiterError(ToolError):
    """Jupiter's API answered an error about the request (4xx); the message names it."""


class JupiterUnavailable(JupiterError, UpstreamUnavailable):
    """Jupiter's API could not answer at all (unreachable, 429/5xx, not in the cassette)."""


class JupiterClient:
    """GET/POST JSON to one Jupiter API base URL, through an optional cassette."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        cassette: Cassette | None = None,
        replay_only: bool = False,
        timeout: float = 15.0,
    ) -> None:
        self.base_url = (
            base_url or os.environ.get("JUPITER_BASE_URL") or DEFAULT_JUPITER_URL
        ).rstrip("/")
        self.origin = public_origin(self.base_url)
        # Named by the run (URL, environment or cassette), not just the built-in default:
        # agents offer the Jupiter tools only then (reev.agents.tool_menu).
        self.configured = (
            bool(base_url or os.environ.get("JUPITER_BASE_URL")) or cassette is not None
        )
        self.cassette = cassette
        self.replay_only = replay_only
        if replay_only and cassette is None:
            raise ValueError("a replay-only Jupiter client needs a cassette")
        self._timeout = timeout
        self._http: httpx.Client | None = None
        if cassette is not None and not replay_only:
            cassette.record_origin("jupiter", self.base_url)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def get(self, path: str, query: dict[str, str] | None = None) -> Any:
        """The JSON answer of `GET base/path?query`."""
        return self._request("GET", path, dict(query or {}), None)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        """The JSON answer of `POST base/path` with a JSON body."""
        return self._request("POST", path, {}, body)

    def _request(self, method: str, path: str, query: dict[str, str], body: Any) -> Any:
        what = f"{method} {path}"
        exchange = self.cassette.exchange(method, path, query, body) if self.cassette else None
        if exchange is None:
            if self.replay_only:
                assert self.cassette is not None
                raise JupiterUnavailable(
                    f"Jupiter API unavailable: cassette {self.cassette.path} holds no recorded "
                    f"answer to {what} {query or body or ''} (record it again with network)"
                )
            exchange = self._fetch(method, path, query, body)
            if self.cassette is not None and _replayable(exchange.status):
                exchange = self.cassette.record_exchange(exchange)
        if not 200 <= exchange.status < 300:
            error = (
                JupiterUnavailable
                if exchange.status == 429 or exchange.status >= 500
                else JupiterError
            )
            raise error(
                f"Jupiter API {self.origin} answered HTTP {exchange.status} to {what}: "
                f"{_error_text(exchange.response)}"
            )
        return exchange.response

    def _fetch(self, method: str, path: str, query: dict[str, str], body: Any) -> HttpExchange:
        import httpx  # here, not at module level: runs without Jupiter never need it

        if self._http is None:
            headers = {"Accept": "application/json"}
            key = os.environ.get("JUPITER_API_KEY")
            if key:
                headers["x-api-key"] = key
            self._http = httpx.Client(timeout=self._timeout, headers=headers)
        url = self.base_url + path
        try:
            if method == "GET":
                response = self._http.get(url, params=query)
            else:
                response = self._http.post(url, json=body)
        except httpx.HTTPError as exc:
            raise JupiterUnavailable(
                f"Jupiter API {self.origin} unreachable ({method} {path}): "
                f"{type(exc).__name__}: {exc or 'no answer'}"
            ) from exc
        try:
            payload = response.json()
        except ValueError:
            if 200 <= response.status_code < 300:
                raise JupiterUnavailable(
                    f"Jupiter API {self.origin} answered {method} {path} with non-JSON: "
                    f"{response.text[:200]!r}"
                ) from None
            payload = response.text[:500]
        return HttpExchange(method, path, query, body, response.status_code, payload)


def _replayable(status: int) -> bool:
    """Answers worth recording: successes and request errors, not rate limits or outages."""
    return 200 <= status < 500 and status != 429


def _error_text(response: Any) -> str:
    if isinstance(response, dict):
        for key in ("error", "message", "errorCode"):
            if response.get(key):
                return str(response[key])
    return str(response)[:300]


__all__ = [
    "DEFAULT_JUPITER_URL",
    "JupiterClient",
    "JupiterError",
]
