"""`GET /events`: server-sent events of job status changes.

Events come from the `job_events` table, so every change is seen whichever server process
made it, and the SSE `id` is the row id: a client reconnecting with `Last-Event-ID` (or
`?after=`) resumes exactly where it stopped. A comment line every 15 s keeps proxies from
closing an idle stream.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from reev.api.context import Ctx

router = APIRouter(tags=["events"])

POLL_SECONDS = 0.2
KEEPALIVE_SECONDS = 15.0


@router.get(
    "/events",
    summary="Server-sent events: one `job` event per status change",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def events(
    request: Request,
    ctx: Ctx,
    run_id: str | None = Query(default=None, max_length=100),
    after: int | None = Query(default=None, ge=0, le=2**62, description="Last id seen."),
    follow: bool = Query(default=True, description="Keep streaming (false: send and close)."),
    last_event_id: str | None = Header(default=None, max_length=30),
) -> StreamingResponse:
    # A browser reconnecting sends Last-Event-ID with the same URL: the header is newer than
    # any `after` in that URL, so it wins.
    start = after
    if last_event_id and last_event_id.strip().isdigit():
        start = int(last_event_id.strip())
    if start is None:
        start = 0 if not follow else await run_in_threadpool(ctx.queue.last_event_id)

    async def stream() -> AsyncIterator[str]:
        cursor = start
        idle = 0.0
        yield "retry: 2000\n\n"
        while True:
            batch = await run_in_threadpool(ctx.queue.events_since, cursor, run_id=run_id)
            for event in batch:
                cursor = event.id
                payload = event.model_dump(mode="json")
                yield f"id: {event.id}\nevent: job\ndata: {json.dumps(payload)}\n\n"
            if not follow and len(batch) < 500:
                return
            if batch:
                idle = 0.0
                continue
            if await request.is_disconnected():
                return
            await asyncio.sleep(POLL_SECONDS)
            idle += POLL_SECONDS
            if idle >= KEEPALIVE_SECONDS:
                idle = 0.0
                yield ": keep-alive\n\n"

    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)
