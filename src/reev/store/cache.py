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
from reev.store.store import Store


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
    """What an LLM agent holds: a chat request (the dict sent to the provider) → the
    cached response, keyed with the current episode's epoch (`reev.runner.context`)."""

    def __init__(self, cache: ModelCallCache) -> None:
        self.cache = cache

    @staticmethod
    def _key_parts(request: Mapping[str, Any], base_url: str | None) -> dict[str, Any]:
        from reev.runner.context import current_epoch

        settings = {k: v for k, v in request.items() if k not in ("model", "messages", "tools")}
        return {
            "model": str(request.get("model", "")),
            "base_url": base_url,
            "messages": list(request.get("messages") or []),
            "tools": list(request.get("tools") or []),
            "settings": settings,
            "epoch": current_epoch(),
        }

    def get(self, request: Mapping[str, Any], base_url: str | None) -> dict[str, Any] | None:
        """The cached response of this request, or None."""
        return self.cache.get(**self._key_parts(request, base_url))

    def put(
        self, request: Mapping[str, Any], base_url: str | None, response: Mapping[str, Any]
    ) -> None:
        """Remember the response of this request."""
        self.cache.put(response, **self._key_parts(request, base_url))


_OPEN: dict[str, RequestCache] = {}
_OPEN_LOCK = threading.Lock()


def request_cache(url: str | None) -> RequestCache | None:
    """The process-wide RequestCache of database `url` (None: no caching)."""
    if not url:
        return None
    with _OPEN_LOCK:
        cache = _OPEN.get(url)
        if cache is None:
            from reev.store.store import open_store

            cache = _OPEN[url] = RequestCache(ModelCallCache(open_store(url)))
        return cache
