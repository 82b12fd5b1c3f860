"""The model-call cache: keys cover everything that determines a response, epochs apart."""

from __future__ import annotations

from typing import Any

from reev.store import Store
from reev.store.cache import ModelCallCache, cache_key

REQ: dict[str, Any] = {
    "model": "m",
    "base_url": "http://127.0.0.1:9/v1",
    "messages": [{"role": "user", "content": "send 1 SOL"}],
    "tools": [{"type": "function", "function": {"name": "sol_transfer"}}],
    "settings": {"temperature": 0.0},
    "epoch": 0,
}


def test_key_depends_on_every_part() -> None:
    base = cache_key(**REQ)
    assert cache_key(**REQ) == base
    assert cache_key(**{**REQ, "base_url": "http://127.0.0.1:9/v1/"}) == base  # trailing slash
    for field, other in [
        ("model", "m2"),
        ("base_url", "http://127.0.0.1:8/v1"),
        ("messages", [{"role": "user", "content": "send 2 SOL"}]),
        ("tools", []),
        ("settings", {"temperature": 0.7}),
        ("epoch", 1),
    ]:
        assert cache_key(**{**REQ, field: other}) != base, field


def test_get_put_hits_and_clear(store: Store) -> None:
    cache = ModelCallCache(store)
    assert cache.get(**REQ) is None
    cache.put({"content": "done", "tool_calls": []}, **REQ)
    cache.put({"content": "ignored: first write wins"}, **REQ)
    assert cache.get(**REQ) == {"content": "done", "tool_calls": []}
    assert cache.get(**{**REQ, "epoch": 1}) is None
    assert (cache.hits, cache.misses) == (1, 2)
    assert cache.stats()["hits"] == 1
    assert cache.clear() == 1
    assert cache.get(**REQ) is None
