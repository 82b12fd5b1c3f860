"""Comparing two records of the same episode: they may differ only in ids and clocks."""

from __future__ import annotations

from typing import Any

VOLATILE = frozenset({"execution_id", "started_at", "duration_ms", "latency_ms"})


def stable(value: Any) -> Any:
    """`value` (a record's JSON form) without its ids and timings, at any depth."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value
