"""`/benchmarks` (reev's list), `/benchmarks/{id}`, `/upsert-yml` and `/sync`."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from fastapi import APIRouter, HTTPException, Response

from reev.api.answer_models import BenchmarkDetail
from reev.api.catalog import (
    CatalogError,
    stored_version_benchmark,
    sync_benchmark_dirs,
    upsert_yaml,
)
from reev.api.context import BenchmarkId, Ctx
from reev.api.schemas import BenchmarkItem, SyncResponse, UpsertRequest, UpsertResponse
from reev.store import Store
from reev.store.api_queries import (
    CurrentBenchmark,
    catalog_key,
    current_benchmark,
    current_benchmarks,
)

router = APIRouter(tags=["reev: benchmarks"])


def _item(current: CurrentBenchmark, prompt: str) -> BenchmarkItem:
    v = current.version
    return BenchmarkItem(
        id=v.benchmark_id,
        description=v.description or "",
        tags=list(v.tags),
        prompt=prompt,
        version_id=v.id,
        content_hash=v.content_hash,
        origin=current.origin,
    )


def _prompt(current: CurrentBenchmark) -> str:
    """The prompt of a stored version (parsed once per process: `stored_version_benchmark`)."""
    try:
        return stored_version_benchmark(current.version.content or "", "stored").prompt
    except Exception:  # stored text was valid when stored; a newer schema may disagree
        return ""


class _ListingCache:
    """The `/benchmarks` body, rebuilt only when the catalog changed.

    The listing is a function of (benchmark id, version id, origin) of every current
    benchmark, and stored versions never change; so a small query of those keys (no YAML
    text, no parsing, no model validation) says whether the last body is still exact.
    That query runs at most every `RECHECK_S` seconds; this server's own changes (upsert,
    sync) invalidate at once, so only another server process writing the same database is
    seen up to `RECHECK_S` late.
    """

    RECHECK_S = 1.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[str, tuple[tuple[str, int, str], ...]] | None = None
        self._body = b"[]"
        self._checked = 0.0

    def invalidate(self) -> None:
        with self._lock:
            self._key = None

    def body(self, store: Store) -> bytes:
        now = time.monotonic()
        with self._lock:
            fresh = now - self._checked < self.RECHECK_S
            if fresh and self._key is not None and self._key[0] == store.url:
                return self._body
        key = (store.url, catalog_key(store))  # one database's catalog
        with self._lock:
            if key == self._key:
                self._checked = now
                return self._body
        items = [_item(c, _prompt(c)) for c in current_benchmarks(store, with_content=True)]
        body = json.dumps([i.model_dump(mode="json") for i in items]).encode()
        with self._lock:
            self._key, self._body, self._checked = key, body, now
        return body


_LISTING = _ListingCache()


def invalidate_listing() -> None:
    """Forget the cached `/benchmarks` body (the catalog was just changed here)."""
    _LISTING.invalidate()


def warm_listing(store: Store) -> None:
    """Build the `/benchmarks` body now (at start-up, after the sync), so the first
    clients do not wait while every stored version's prompt is parsed."""
    _LISTING.invalidate()
    _LISTING.body(store)


@router.get("/benchmarks", response_model=list[BenchmarkItem], summary="Known benchmarks")
async def list_benchmarks(ctx: Ctx) -> Response:
    # On the event loop, not the thread pool: one indexed query of ~60 short rows costs
    # less than the hand-off, and 50 clients no longer queue for the pool's connections.
    return Response(_LISTING.body(ctx.store), media_type="application/json")


@router.get(
    "/benchmarks/{benchmark_id}",
    response_model=BenchmarkDetail,
    summary="One benchmark with its YAML text",
)
def get_benchmark(benchmark_id: BenchmarkId, ctx: Ctx) -> dict[str, Any]:
    current = current_benchmark(ctx.store, benchmark_id)
    if current is None:
        raise HTTPException(status_code=404, detail=f"unknown benchmark {benchmark_id!r}")
    return _item(current, _prompt(current)).model_dump() | {
        "source_path": current.version.source_path,
        "yml_content": current.version.content,
        "versions": [
            {"version_id": v.id, "content_hash": v.content_hash, "created_at": v.created_at}
            for v in ctx.store.list_benchmark_versions(benchmark_id)
        ],
    }


@router.post("/upsert-yml", response_model=UpsertResponse, summary="Store a benchmark YAML")
def upsert_yml(body: UpsertRequest, ctx: Ctx) -> UpsertResponse:
    if len(body.yml_content.encode("utf-8")) > ctx.settings.max_yaml_bytes:
        raise HTTPException(
            status_code=413, detail=f"YAML larger than {ctx.settings.max_yaml_bytes} bytes"
        )
    try:
        benchmark = upsert_yaml(ctx.store, body.yml_content)
        _LISTING.invalidate()
    except CatalogError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    current = current_benchmark(ctx.store, benchmark.id)
    assert current is not None
    return UpsertResponse(
        success=True,
        benchmark_id=benchmark.id,
        version_id=current.version.id,
        message="Benchmark upserted successfully; it is now the version that runs",
    )


@router.post("/sync", response_model=SyncResponse, summary="Re-read the benchmark folders")
def sync(ctx: Ctx) -> SyncResponse:
    report = sync_benchmark_dirs(ctx.store, ctx.settings.benchmark_dirs)
    _LISTING.invalidate()
    dirs = ", ".join(str(d) for d in ctx.settings.benchmark_dirs) or "(none)"
    return SyncResponse(
        success=not report.errors,
        synced_count=len(report.synced),
        message=f"synced {len(report.synced)} benchmark(s) from {dirs}",
        errors=report.errors,
    )
