"""Turn tracing on for a run when asked: a JSON-lines file and/or an OTLP/HTTP collector.

Off unless asked. It is asked for by `--trace-file FILE`, or by the standard OpenTelemetry
variables `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (Jaeger,
Tempo, Honeycomb, any collector speaking OTLP over HTTP; headers from
`OTEL_EXPORTER_OTLP_HEADERS`, service name from `OTEL_SERVICE_NAME`).
`OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` switches the OTLP part off.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

from reev.tracing.jsonl import JsonLinesSpanExporter
from reev.tracing.spans import install_provider, uninstall_provider

OTLP_ENDPOINT_VARS = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")


def otlp_requested(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the environment asks for OTLP export (an endpoint set, not disabled)."""
    env = os.environ if environ is None else environ
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if env.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "none":
        return False
    return any(env.get(name, "").strip() for name in OTLP_ENDPOINT_VARS)


@dataclass
class Tracing:
    """An installed tracer provider and where its spans go."""

    provider: TracerProvider
    trace_file: Path | None = None
    otlp: bool = False
    processors: list[SpanProcessor] = field(default_factory=list)

    def flush(self) -> bool:
        """Push every finished span out (file written, collector sent)."""
        return self.provider.force_flush()

    def shutdown(self) -> None:
        """Flush, stop the exporters and make the span helpers no-ops again."""
        uninstall_provider()
        self.provider.shutdown()


def start_tracing(
    trace_file: Path | None = None,
    *,
    otlp: bool | None = None,
    extra_processors: list[SpanProcessor] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Tracing | None:
    """Install a provider for what was asked; None (tracing stays off) when nothing was.

    `otlp=None` follows the environment (`otlp_requested`); the OTLP exporter then reads
    the standard variables itself. `extra_processors` lets tests attach an in-memory
    exporter.
    """
    use_otlp = otlp_requested(environ) if otlp is None else otlp
    processors: list[SpanProcessor] = list(extra_processors or [])
    if trace_file is not None:
        processors.append(SimpleSpanProcessor(JsonLinesSpanExporter(trace_file)))
    if use_otlp:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        processors.append(BatchSpanProcessor(OTLPSpanExporter()))
    if not processors:
        return None
    provider = TracerProvider(resource=Resource.create({"service.name": _service_name(environ)}))
    for p in processors:
        provider.add_span_processor(p)
    install_provider(provider)
    return Tracing(provider=provider, trace_file=trace_file, otlp=use_otlp, processors=processors)


def _service_name(environ: Mapping[str, str] | None) -> str:
    env = os.environ if environ is None else environ
    return env.get("OTEL_SERVICE_NAME", "").strip() or "reev"


@contextmanager
def tracing(
    trace_file: Path | None = None,
    *,
    otlp: bool | None = None,
    extra_processors: list[SpanProcessor] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Iterator[Tracing | None]:
    """`start_tracing` for the length of a block; everything is flushed and shut down after."""
    active = start_tracing(
        trace_file, otlp=otlp, extra_processors=extra_processors, environ=environ
    )
    try:
        yield active
    finally:
        if active is not None:
            active.shutdown()
