"""A small synchronous Solana JSON-RPC client (httpx), shared by the RPC and fork backends.

Every failure — connection refused, timeout, HTTP error, a JSON-RPC `error` member, an
answer of the wrong shape — becomes an `UpstreamError` that names the endpoint (scheme and
host only: URLs may carry API keys) and the method, so a run can record why it stopped.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from solders.account import Account
from solders.pubkey import Pubkey

from reev.chain.cassette import public_origin

if TYPE_CHECKING:
    import httpx

MAX_MULTIPLE_ACCOUNTS = 100


class UpstreamError(Exception):
    """An upstream (RPC node, Jupiter API, cassette) could not answer."""


class JsonRpcClient:
    """Calls one JSON-RPC endpoint."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        self.url = url
        self.origin = public_origin(url)
        self._ids = itertools.count(1)
        import httpx  # here, not at module level: runs on the embedded VM never need it

        self._http: httpx.Client = httpx.Client(timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, params: Sequence[Any] = ()) -> Any:
        """The `result` of one call; UpstreamError for anything else."""
        import httpx

        payload = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        try:
            response = self._http.post(self.url, json=payload)
        except httpx.HTTPError as exc:
            raise UpstreamError(
                f"RPC {self.origin} unreachable ({method}): {type(exc).__name__}: {exc}"
            ) from exc
        if response.status_code != 200:
            raise UpstreamError(
                f"RPC {self.origin} answered HTTP {response.status_code} to {method}: "
                f"{response.text[:200]}"
            )
        try:
            body = response.json()
        except ValueError as exc:
            raise UpstreamError(f"RPC {self.origin} answered {method} with non-JSON") from exc
        if not isinstance(body, dict):
            raise UpstreamError(f"RPC {self.origin} answered {method} with {body!r:.200}")
        if body.get("error") is not None:
            err = body["error"]
            message = err.get("message", err) if isinstance(err, dict) else err
            raise RpcCallError(f"RPC {self.origin} {method} failed: {message}", err)
        if "result" not in body:
            raise UpstreamError(f"RPC {self.origin} answered {method} without a result")
        return body["result"]

    # --- typed helpers -------------------------------------------------------------

    def get_multiple_accounts(self, pubkeys: Sequence[Pubkey]) -> list[Account | None]:
        """Accounts in order (None for absent ones), batched by the RPC's 100-key limit."""
        found: list[Account | None] = []
        for start in range(0, len(pubkeys), MAX_MULTIPLE_ACCOUNTS):
            chunk = [str(p) for p in pubkeys[start : start + MAX_MULTIPLE_ACCOUNTS]]
            result = self.call(
                "getMultipleAccounts", [chunk, {"encoding": "base64", "commitment": "confirmed"}]
            )
            values = _value(result, "getMultipleAccounts", self.origin)
            if not isinstance(values, list) or len(values) != len(chunk):
                raise UpstreamError(
                    f"RPC {self.origin} getMultipleAccounts returned {len(values) if isinstance(values, list) else values!r} "
                    f"entries for {len(chunk)} keys"
                )
            found.extend(decode_account(v, self.origin) for v in values)
        return found

    def get_account(self, pubkey: Pubkey) -> Account | None:
        result = self.call(
            "getAccountInfo", [str(pubkey), {"encoding": "base64", "commitment": "confirmed"}]
        )
        return decode_account(_value(result, "getAccountInfo", self.origin), self.origin)


class RpcCallError(UpstreamError):
    """The endpoint answered with a JSON-RPC error object (kept in `error`)."""

    def __init__(self, message: str, error: Any) -> None:
        super().__init__(message)
        self.error = error


def _value(result: Any, method: str, origin: str) -> Any:
    if not isinstance(result, dict) or "value" not in result:
        raise UpstreamError(f"RPC {origin} {method} answer has no 'value': {result!r:.200}")
    return result["value"]


def decode_account(value: Any, origin: str = "upstream") -> Account | None:
    """A solders Account from an RPC `UiAccount` with base64 data (None stays None)."""
    if value is None:
        return None
    try:
        data = value["data"]
        if isinstance(data, list):
            if len(data) != 2 or data[1] != "base64":
                raise ValueError(f"data encoding {data[1:]!r} is not base64")
            raw = base64.b64decode(data[0])
        else:
            raise ValueError("data is not [base64, 'base64']")
        return Account(
            int(value["lamports"]),
            raw,
            Pubkey.from_string(value["owner"]),
            bool(value["executable"]),
            int(value.get("rentEpoch", 0)) % 2**64,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise UpstreamError(f"RPC {origin} returned an unreadable account: {exc}") from exc


__all__ = ["JsonRpcClient", "RpcCallError", "UpstreamError", "decode_account"]
