"""The benchmarks the API lists and runs: files synced into the store, and uploads.

Every benchmark the API runs is a stored version (exact text + SHA-256), and a job names
the version it ran, so an upload is runnable (reev's was stored but never run: its runner
read files) and an edited file never changes what an old result was scored against.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from reev.benchmark.loader import (
    BenchmarkLoadError,
    load_benchmark_files,
    parse_benchmark,
    read_benchmark_text,
)
from reev.benchmark.model import Benchmark
from reev.store import Store
from reev.store.api_queries import set_current_benchmark

BENCHMARK_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$"
_ID_RE = re.compile(BENCHMARK_ID_PATTERN)


PARSED_CACHE = 4096  # stored versions whose parsed benchmark a process keeps
_PARSED: OrderedDict[str, Benchmark] = OrderedDict()
_PARSED_LOCK = threading.Lock()


def stored_version_benchmark(content: str, source: str) -> Benchmark:
    """The benchmark of a stored version's text, parsed once per process and shared by
    the `/benchmarks` listing (its prompt) and the workers (the episode): a stored version
    never changes, and the cache is keyed by the whole text, so what it returns is what
    parsing the text again would. BenchmarkLoadError naming `source` when the text does
    not parse (failures are not kept: each caller gets its own message)."""
    with _PARSED_LOCK:
        hit = _PARSED.get(content)
        if hit is not None:
            _PARSED.move_to_end(content)
            return hit
    benchmark = parse_benchmark(content, source)
    with _PARSED_LOCK:
        _PARSED[content] = benchmark
        if len(_PARSED) > PARSED_CACHE:
            _PARSED.popitem(last=False)
    return benchmark


class CatalogError(ValueError):
    """Uploaded YAML that cannot become a benchmark (the message says why)."""


def valid_benchmark_id(value: str) -> bool:
    """Ids are 1-128 of [A-Za-z0-9_.-], starting alphanumeric, never containing `..`."""
    return bool(_ID_RE.match(value)) and ".." not in value


@dataclass
class SyncReport:
    """What a sync found: benchmark ids stored, and files that failed to load."""

    synced: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def sync_benchmark_dirs(store: Store, dirs: list[Path]) -> SyncReport:
    """Store every benchmark file under `dirs` and make it its id's current version."""
    report = SyncReport()
    for item in load_benchmark_files(dirs):  # bounded reads; duplicate ids are errors
        if item.benchmark is None:
            report.errors.append(str(item.error))
            continue
        benchmark = item.benchmark
        path = item.path
        try:
            text = read_benchmark_text(path)
        except BenchmarkLoadError as exc:  # changed since it was loaded
            report.errors.append(str(exc))
            continue
        if not valid_benchmark_id(benchmark.id):
            report.errors.append(f"{path}: benchmark id {benchmark.id!r} is not a valid id")
            continue
        version = _record(store, benchmark, text, str(path))
        set_current_benchmark(store, benchmark.id, version, "file")
        report.synced.append(benchmark.id)
    return report


def upsert_yaml(store: Store, text: str) -> Benchmark:
    """Validate uploaded YAML, store it and make it its id's current version."""
    try:
        benchmark = parse_benchmark(text, "upload")
    except BenchmarkLoadError as exc:
        raise CatalogError(str(exc)) from exc
    if not valid_benchmark_id(benchmark.id):
        raise CatalogError(
            f"benchmark id {benchmark.id!r} must be 1-128 characters of A-Z a-z 0-9 _ . - "
            "starting with a letter or digit, without '..'"
        )
    version = _record(store, benchmark, text, None)
    set_current_benchmark(store, benchmark.id, version, "upload")
    return benchmark


def _record(store: Store, benchmark: Benchmark, text: str, source: str | None) -> int:
    return store.record_benchmark(
        benchmark.id,
        text,
        source_path=source,
        description=benchmark.description,
        tags=list(benchmark.tags),
    )
