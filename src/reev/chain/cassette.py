"""Cassettes: everything a mainnet-dependent run fetched, kept so it can be replayed offline.

A cassette is one versioned JSON file holding

* every account fetched from the upstream RPC (base64 data, lamports, owner, executable,
  rent epoch), and every account the upstream said does not exist (`null`);
* the upstream clock (slot, epoch, unix timestamp) the fork was started from;
* every Jupiter API exchange: request (method, path, query, JSON body) and response
  (HTTP status, JSON body).

Recording is "first answer wins": once an account or a request is in the cassette, later
reads get the recorded answer, so one run sees one consistent snapshot of mainnet and a
replay (`--cassette PATH` without network) sees exactly the same bytes. Upstream URLs are
stored as scheme and host only: RPC providers put API keys in paths and query strings,
and API keys are never written anywhere.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from solders.account import Account
from solders.pubkey import Pubkey

from reev.inputs import InputFileError, JsonLimitError, JsonLimits, read_json_file

MAX_CASSETTE_BYTES = 512 * 1_048_576  # accounts are stored in full; programs can be large
CASSETTE_LIMITS = JsonLimits(max_bytes=MAX_CASSETTE_BYTES, max_depth=64)

CASSETTE_FORMAT = "reev-cassette"
CASSETTE_VERSION = 1


class CassetteError(Exception):
    """A cassette that cannot be read, or a replay that asks for something never recorded."""


@dataclass(frozen=True)
class RecordedClock:
    """The upstream's Clock sysvar at the moment the fork started."""

    slot: int
    epoch_start_timestamp: int
    epoch: int
    leader_schedule_epoch: int
    unix_timestamp: int

    def to_json(self) -> dict[str, int]:
        return {
            "slot": self.slot,
            "epoch_start_timestamp": self.epoch_start_timestamp,
            "epoch": self.epoch,
            "leader_schedule_epoch": self.leader_schedule_epoch,
            "unix_timestamp": self.unix_timestamp,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RecordedClock:
        return cls(
            slot=int(data["slot"]),
            epoch_start_timestamp=int(data["epoch_start_timestamp"]),
            epoch=int(data["epoch"]),
            leader_schedule_epoch=int(data["leader_schedule_epoch"]),
            unix_timestamp=int(data["unix_timestamp"]),
        )


@dataclass(frozen=True)
class HttpExchange:
    """One recorded HTTP request and its answer."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int
    response: Any

    @property
    def key(self) -> str:
        return request_key(self.method, self.path, self.query, self.body)


def request_key(method: str, path: str, query: dict[str, str], body: Any) -> str:
    """A canonical text for a request: what replay matches on (never headers or host)."""
    return json.dumps(
        [method.upper(), path, sorted(query.items()), body], sort_keys=True, separators=(",", ":")
    )


def public_origin(url: str) -> str:
    """`scheme://host[:port]` of a URL: no path, query or credentials (they may hold keys)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}"


def account_to_json(account: Account) -> dict[str, Any]:
    """An account as the cassette stores it."""
    return {
        "lamports": account.lamports,
        "owner": str(account.owner),
        "executable": account.executable,
        "rent_epoch": account.rent_epoch,
        "data": base64.b64encode(bytes(account.data)).decode(),
    }


def account_from_json(data: dict[str, Any]) -> Account:
    """The account a cassette entry describes."""
    return Account(
        int(data["lamports"]),
        base64.b64decode(data["data"]),
        Pubkey.from_string(data["owner"]),
        bool(data["executable"]),
        int(data["rent_epoch"]),
    )


class CassetteMissing(CassetteError):
    """There is no cassette file at the path (as opposed to one that cannot be read)."""


def _mapping(value: Any, where: str) -> dict[str, Any]:
    """`value` when it is an object (None: empty), else TypeError naming the field."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError(f"{where}: expected an object, not {type(value).__name__}")
    return value


class Cassette:
    """An in-memory cassette bound to a file; thread-safe; written by `save()`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._accounts: dict[str, dict[str, Any] | None] = {}
        self._http: dict[str, HttpExchange] = {}
        self.clock: RecordedClock | None = None
        self.origins: dict[str, str] = {}
        self.created_at = _now()
        self.dirty = False

    # --- files ---------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path) -> Cassette:
        """Read a cassette; CassetteError naming the file when it is not a cassette."""
        cassette = cls(path)
        try:  # bounded: a cassette handed over by someone else may be hostile
            raw = read_json_file(path, CASSETTE_LIMITS)
        except InputFileError as exc:
            if exc.missing:
                raise CassetteMissing(f"{path}: cassette does not exist") from exc
            raise CassetteError(f"{path}: cannot read the cassette: {exc}") from exc
        except JsonLimitError as exc:
            raise CassetteError(f"{path}: not a cassette: {exc}") from exc
        if not isinstance(raw, dict) or raw.get("format") != CASSETTE_FORMAT:
            raise CassetteError(f"{path}: not a reev cassette (no format {CASSETTE_FORMAT!r})")
        version = raw.get("version")
        if version != CASSETTE_VERSION:
            raise CassetteError(
                f"{path}: cassette version {version!r}; this reev reads version {CASSETTE_VERSION}"
            )
        try:
            cassette.created_at = str(raw.get("created_at", cassette.created_at))
            upstream = _mapping(raw.get("upstream"), "upstream")
            cassette.origins = {str(k): str(v) for k, v in upstream.items()}
            if raw.get("clock") is not None:
                cassette.clock = RecordedClock.from_json(_mapping(raw["clock"], "clock"))
            for key, value in _mapping(raw.get("accounts"), "accounts").items():
                Pubkey.from_string(key)
                if value is not None:
                    account_from_json(_mapping(value, f"accounts.{key}"))  # validate now
                cassette._accounts[key] = value
            http = raw.get("http") or []
            if not isinstance(http, list):
                raise TypeError("http: expected a list")
            for n, entry in enumerate(http):
                item = _mapping(entry, f"http[{n}]")
                exchange = HttpExchange(
                    method=str(item["method"]),
                    path=str(item["path"]),
                    query={str(k): str(v) for k, v in _mapping(item.get("query"), "query").items()},
                    body=item.get("body"),
                    status=int(item["status"]),
                    response=item.get("response"),
                )
                cassette._http[exchange.key] = exchange
        except KeyError as exc:
            raise CassetteError(f"{path}: malformed cassette: missing field {exc}") from exc
        except (TypeError, ValueError, AttributeError) as exc:
            raise CassetteError(f"{path}: malformed cassette: {exc}") from exc
        return cassette

    @classmethod
    def open(cls, path: Path) -> Cassette:
        """Load the cassette at `path`, or start an empty one there."""
        try:
            return cls.load(path)
        except CassetteMissing:
            return cls(path)

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "format": CASSETTE_FORMAT,
                "version": CASSETTE_VERSION,
                "created_at": self.created_at,
                "upstream": dict(sorted(self.origins.items())),
                "clock": self.clock.to_json() if self.clock else None,
                "accounts": dict(sorted(self._accounts.items())),
                "http": [
                    {
                        "method": e.method,
                        "path": e.path,
                        "query": e.query,
                        "body": e.body,
                        "status": e.status,
                        "response": e.response,
                    }
                    for _, e in sorted(self._http.items())
                ],
            }

    def save(self) -> None:
        """Write the cassette atomically (a crash never leaves half a file)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_json(), indent=1, sort_keys=False) + "\n"
        fd, tmp = tempfile.mkstemp(prefix=".cassette-", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, self.path)
        self.dirty = False

    # --- accounts ------------------------------------------------------------------

    def has_account(self, pubkey: Pubkey) -> bool:
        """True when the cassette knows this account (present or known absent)."""
        with self._lock:
            return str(pubkey) in self._accounts

    def account(self, pubkey: Pubkey) -> Account | None:
        """The recorded account (None when recorded as absent); KeyError when unknown."""
        with self._lock:
            entry = self._accounts[str(pubkey)]
        return None if entry is None else account_from_json(entry)

    def record_account(self, pubkey: Pubkey, account: Account | None) -> None:
        """Remember an upstream answer; an existing recording is kept (first answer wins)."""
        with self._lock:
            if str(pubkey) in self._accounts:
                return
            self._accounts[str(pubkey)] = None if account is None else account_to_json(account)
            self.dirty = True

    @property
    def account_count(self) -> int:
        with self._lock:
            return len(self._accounts)

    def record_clock(self, clock: RecordedClock) -> None:
        with self._lock:
            if self.clock is None:
                self.clock = clock
                self.dirty = True

    def record_origin(self, kind: str, url: str) -> None:
        with self._lock:
            origin = public_origin(url)
            if self.origins.get(kind) != origin:
                self.origins[kind] = origin
                self.dirty = True

    # --- HTTP ----------------------------------------------------------------------

    def exchange(
        self, method: str, path: str, query: dict[str, str], body: Any
    ) -> HttpExchange | None:
        """The recorded exchange for this request, if any."""
        with self._lock:
            return self._http.get(request_key(method, path, query, body))

    def record_exchange(self, exchange: HttpExchange) -> HttpExchange:
        """Remember an exchange; returns the one the cassette keeps (first answer wins)."""
        with self._lock:
            kept = self._http.setdefault(exchange.key, exchange)
            if kept is exchange:
                self.dirty = True
            return kept

    @property
    def exchange_count(self) -> int:
        with self._lock:
            return len(self._http)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


__all__ = [
    "CASSETTE_FORMAT",
    "CASSETTE_VERSION",
    "Cassette",
    "CassetteError",
    "HttpExchange",
    "RecordedClock",
    "public_origin",
    "request_key",
]
