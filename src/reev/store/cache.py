"""The model-call cache (`reev run --cache`): a response stored under the SHA-256 of
everything that determines it, so re-running an evaluation costs nothing.

Key = SHA-256 of the canonical JSON of
    {"model", "base_url", "messages", "tools", "settings", "epoch"}
(keys sorted, no whitespace). `settings` are the generation settings (temperature,
max_tokens, tool_choice, seed…). The epoch is part of the key so that K epochs still
sample K answers; re-running the same epoch replays them. API keys are never part of
the key or the entry.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from reev.store.models import CacheEntry
from reev.store.store import Store, open_store


def cache_key(
    *,
    model: str,
    base_url: str | None,
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]] | None = None,
    settings: Mapping[str, Any] | None = None,
    epoch: int = 0,
) -> str:
    """The cache key of one model request (documented above)."""
    payload = {
        "model": model,
        "base_url": (base_url or "").rstrip("/"),
        "messages": list(messages),
        "tools": list(tools or []),
        "settings": dict(settings or {}),
        "epoch": epoch,
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ModelCallCache:
    """Get and put model responses (any JSON object) in the store's `model_cache` table."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.hits = 0
        self.misses = 0

    def get(
        self,
        *,
        model: str,
        base_url: str | None,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        settings: Mapping[str, Any] | None = None,
        epoch: int = 0,
    ) -> dict[str, Any] | None:
        """The cached response, or None."""
        key = cache_key(
            model=model,
            base_url=base_url,
            messages=messages,
            tools=tools,
            settings=settings,
            epoch=epoch,
        )
        with self.store.engine.connect() as conn:
            response = conn.execute(
                select(CacheEntry.response).where(CacheEntry.key == key)
            ).scalar()
        if response is None:
            self.misses += 1
            return None
        self.hits += 1
        with self.store._write() as conn:
            conn.execute(
                update(CacheEntry).where(CacheEntry.key == key).values(hits=CacheEntry.hits + 1)
            )
        return dict(response)

    def put(
        self,
        response: Mapping[str, Any],
        *,
        model: str,
        base_url: str | None,
        messages: Sequence[Mapping[str, Any]],
        tools: Sequence[Mapping[str, Any]] | None = None,
        settings: Mapping[str, Any] | None = None,
        epoch: int = 0,
    ) -> str:
        """Store a response (the first one stored for a key wins); returns the key."""
        key = cache_key(
            model=model,
            base_url=base_url,
            messages=messages,
            tools=tools,
            settings=settings,
            epoch=epoch,
        )
        with self.store._write() as conn:
            exists = conn.execute(select(CacheEntry.key).where(CacheEntry.key == key)).scalar()
            if exists is None:
                conn.execute(
                    insert(CacheEntry).values(
                        key=key,
                        model=model,
                        base_url=base_url,
                        epoch=epoch,
                        response=dict(response),
                        created_at=datetime.now(UTC),
                        hits=0,
                    )
                )
        return key

    def clear(self, model: str | None = None) -> int:
        """Delete entries (all, or one model's); returns how many."""
        with self.store._write() as conn:
            query = delete(CacheEntry)
            if model is not None:
                query = query.where(CacheEntry.model == model)
            return int(conn.execute(query).rowcount or 0)

    def stats(self) -> dict[str, Any]:
        """Entries and total hits, per model."""
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(CacheEntry.model, func.count(), func.sum(CacheEntry.hits)).group_by(
                    CacheEntry.model
                )
            )
            per_model = {m: {"entries": int(n), "hits": int(h or 0)} for m, n, h in rows}
        return {
            "entries": sum(v["entries"] for v in per_model.values()),
            "hits": sum(v["hits"] for v in per_model.values()),
            "models": per_model,
        }


class RequestCache:
    """What an LLM agent holds (`agents.base.ResponseCache`): a chat request (the dict sent
    to the provider) and the episode's epoch → the cached response.

    One per run, built by whoever starts it (`RequestCache.open(url)`); the database is
    opened on first use, so building one costs nothing when no LLM agent runs.
    """

    def __init__(self, cache: ModelCallCache | None = None, url: str | None = None) -> None:
        if cache is None and not url:
            raise ValueError("RequestCache needs a ModelCallCache or a database URL")
        self._cache = cache
        self.url = url
        self._lock = threading.Lock()

    @classmethod
    def open(cls, url: str) -> RequestCache:
        """A cache over the database at `url`, opened when first used."""
        return cls(url=url)

    @property
    def cache(self) -> ModelCallCache:
        with self._lock:
            if self._cache is None:
                assert self.url is not None
                self._cache = ModelCallCache(open_store(self.url))
            return self._cache

    @staticmethod
    def _key_parts(request: Mapping[str, Any], base_url: str | None, epoch: int) -> dict[str, Any]:
        settings = {k: v for k, v in request.items() if k not in ("model", "messages", "tools")}
        return {
            "model": str(request.get("model", "")),
            "base_url": base_url,
            "messages": list(request.get("messages") or []),
            "tools": list(request.get("tools") or []),
            "settings": settings,
            "epoch": epoch,
        }

    def get(
        self, request: Mapping[str, Any], base_url: str | None, epoch: int
    ) -> dict[str, Any] | None:
        """The cached response of this request in this epoch, or None."""
        return self.cache.get(**self._key_parts(request, base_url, epoch))

    def put(
        self,
        request: Mapping[str, Any],
        base_url: str | None,
        response: Mapping[str, Any],
        epoch: int,
    ) -> None:
        """Remember the response of this request in this epoch."""
        self.cache.put(response, **self._key_parts(request, base_url, epoch))
