"""Page routes and static files of the dashboard, mounted on the API app by `mount(app)`.

Pages are shells: the template gets only the page name and the id in the URL (escaped by
Jinja2's autoescape); the page's script fetches the data from `/api/v1`.

Mermaid is vendored as `static/vendor/mermaid.min.js.gz` (the 3.5 MB build compressed to
~1 MB, under the repository's file-size limit) and served with `Content-Encoding: gzip`;
a client that does not accept gzip gets it decompressed once and kept in memory.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
MERMAID_GZ = STATIC / "vendor" / "mermaid.min.js.gz"
MERMAID_URL = "/static/vendor/mermaid.min.js"
JS_TYPE = "text/javascript; charset=utf-8"

templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)


def _page(request: Request, name: str, title: str, **ids: str) -> HTMLResponse:
    return templates.TemplateResponse(
        request, f"{name}.html", {"page": name, "title": title, "ids": ids}
    )


@router.get("/", response_class=HTMLResponse)
def leaderboard_page(request: Request) -> HTMLResponse:
    return _page(request, "leaderboard", "Leaderboard")


@router.get("/benchmarks", response_class=HTMLResponse)
def benchmarks_page(request: Request) -> HTMLResponse:
    return _page(request, "benchmarks", "Benchmarks")


@router.get("/runs", response_class=HTMLResponse)
def runs_page(request: Request) -> HTMLResponse:
    return _page(request, "runs", "Runs")


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str) -> HTMLResponse:
    return _page(request, "run", f"Run {run_id}", run_id=run_id)


@router.get("/episodes", response_class=HTMLResponse)
def episodes_page(request: Request) -> HTMLResponse:
    return _page(request, "episodes", "Episodes")


@router.get("/executions/{execution_id}", response_class=HTMLResponse)
def episode_page(request: Request, execution_id: str) -> HTMLResponse:
    return _page(request, "episode", f"Episode {execution_id}", execution_id=execution_id)


@lru_cache(maxsize=1)
def _mermaid_plain() -> bytes:
    return gzip.decompress(MERMAID_GZ.read_bytes())


@router.get(MERMAID_URL)
def mermaid_js(request: Request) -> Response:
    """The vendored Mermaid build; cached for a day (the file changes only with reev)."""
    headers = {"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        headers["Content-Encoding"] = "gzip"
        return Response(MERMAID_GZ.read_bytes(), media_type=JS_TYPE, headers=headers)
    return Response(_mermaid_plain(), media_type=JS_TYPE, headers=headers)


def mount(app: FastAPI) -> None:
    """Add the pages and `/static` to the API app (called by `reev.api.app.create_app`)."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
