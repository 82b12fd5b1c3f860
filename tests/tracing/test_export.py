"""Trace export: `reev run --trace-file` JSON lines, and OTLP/HTTP to a collector on loopback."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from typer.testing import CliRunner

from reev.agents.deterministic import DeterministicAgent
from reev.benchmark.loader import load_benchmark
from reev.cli.app import app
from reev.runner.episode import run_episode
from reev.tracing.setup import start_tracing
from reev.tracing.spans import tracing_enabled

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "benchmarks" / "301-flow-transfer-then-report.yml"


def test_trace_file_holds_one_json_line_per_span(tmp_path: Path) -> None:
    trace = tmp_path / "traces" / "run.jsonl"
    outcome = CliRunner().invoke(
        app,
        [
            "run",
            str(REPORT),
            str(ROOT / "benchmarks" / "001-sol-transfer.yml"),
            "--trace-file",
            str(trace),
            "--no-session-files",
            "-q",
        ],
    )
    assert outcome.exit_code == 0, outcome.output
    assert not tracing_enabled()  # shut down after the run
    lines = [json.loads(line) for line in trace.read_text().splitlines()]
    episodes = [s for s in lines if s["name"] == "reev.episode"]
    assert sorted(e["attributes"]["reev.benchmark.id"] for e in episodes) == [
        "001-sol-transfer",
        "301-flow-transfer-then-report",
    ]
    assert len({e["trace_id"] for e in episodes}) == 2  # one trace per episode
    ids = {s["span_id"]: s for s in lines}
    for s in lines:
        if s["name"] != "reev.episode":
            parent = ids[s["parent_span_id"]]
            assert parent["trace_id"] == s["trace_id"]
        assert s["duration_ms"] >= 0
        assert s["resource"]["service.name"] == "reev"
    tx = [s for s in lines if s["name"] == "reev.transaction"]
    assert len(tx) == 2 and all(len(s["attributes"]["solana.signature"]) > 60 for s in tx)
    assert all(ids[s["parent_span_id"]]["name"] == "reev.tool_call" for s in tx)


class _Collector(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).received.append((self.path, body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return None


@pytest.fixture
def collector() -> Iterator[tuple[str, list[tuple[str, bytes]]]]:
    """A minimal OTLP/HTTP receiver on 127.0.0.1 that keeps the protobuf bodies."""
    received: list[tuple[str, bytes]] = []
    handler = type("Collector", (_Collector,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def test_otlp_endpoint_from_environment_receives_the_episode(
    collector: tuple[str, list[tuple[str, bytes]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, received = collector
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", url)
    monkeypatch.setenv("OTEL_SERVICE_NAME", "reev-test")
    active = start_tracing()
    assert active is not None and active.otlp
    result = asyncio.run(run_episode(load_benchmark(REPORT), DeterministicAgent()))
    active.shutdown()
    assert received, "the collector got nothing"
    names: list[str] = []
    services: set[str] = set()
    benchmark_ids: set[str] = set()
    for path, body in received:
        assert path == "/v1/traces"
        request = ExportTraceServiceRequest.FromString(body)
        for rs in request.resource_spans:
            services.update(
                a.value.string_value for a in rs.resource.attributes if a.key == "service.name"
            )
            for scope in rs.scope_spans:
                for s in scope.spans:
                    names.append(s.name)
                    for a in s.attributes:
                        if a.key == "reev.benchmark.id":
                            benchmark_ids.add(a.value.string_value)
    expected = ["reev.episode", "reev.step", "reev.step", "reev.tool_call", "reev.tool_call"]
    assert sorted(names) == sorted([*expected, "reev.transaction"])
    assert services == {"reev-test"}
    assert benchmark_ids == {result.benchmark_id}


def test_unreachable_collector_never_breaks_a_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")  # discard port
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "1")
    active = start_tracing()
    assert active is not None
    result = asyncio.run(run_episode(load_benchmark(REPORT), DeterministicAgent()))
    active.shutdown()
    assert result.status == "completed" and result.passed
