"""A span exporter that writes one JSON object per finished span (`--trace-file FILE`).

JSON lines are easy to grep, diff and load into anything (pandas, jq, DuckDB) without a
collector. Each line: name, trace/span/parent ids (hex), start and end (ISO 8601 UTC),
duration in ms, status, attributes, events, resource attributes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult


def _iso(ns: int | None) -> str | None:
    if ns is None:
        return None
    return datetime.fromtimestamp(ns / 1e9, tz=UTC).isoformat()


def _plain(value: Any) -> Any:
    """Attribute values as JSON: OpenTelemetry's tuples become lists."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def span_to_dict(span: ReadableSpan) -> dict[str, Any]:
    """The JSON form of one finished span."""
    ctx = span.context
    parent = span.parent
    start, end = span.start_time, span.end_time
    return {
        "name": span.name,
        "trace_id": f"{ctx.trace_id:032x}" if ctx else None,
        "span_id": f"{ctx.span_id:016x}" if ctx else None,
        "parent_span_id": f"{parent.span_id:016x}" if parent else None,
        "kind": span.kind.name,
        "start_time": _iso(start),
        "end_time": _iso(end),
        "duration_ms": (end - start) / 1e6 if start is not None and end is not None else None,
        "status": span.status.status_code.name,
        "status_message": span.status.description,
        "attributes": {k: _plain(v) for k, v in (span.attributes or {}).items()},
        "events": [
            {
                "name": e.name,
                "time": _iso(e.timestamp),
                "attributes": {k: _plain(v) for k, v in (e.attributes or {}).items()},
            }
            for e in span.events
        ],
        "resource": {k: _plain(v) for k, v in span.resource.attributes.items()},
    }


class JsonLinesSpanExporter(SpanExporter):
    """Appends finished spans to a file, one JSON object per line, flushed per batch."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] | None = path.open("a", encoding="utf-8")
        self._lock = threading.Lock()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        with self._lock:
            if self._file is None:
                return SpanExportResult.FAILURE
            for s in spans:
                self._file.write(json.dumps(span_to_dict(s), default=str) + "\n")
            self._file.flush()
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        with self._lock:
            if self._file is not None:
                self._file.flush()
        return True
