"""Page routes and static files of the dashboard, mounted on the API app by `mount(app)`.

Pages are shells: the template gets only the page name and the id in the URL (escaped by
Jinja2's autoescape); the page's script fetches the data from `/api/v1`.

Mermaid, Swagger UI and ReDoc are vendored gzip'd under `static/vendor/` (Mermaid's
3.5 MB build is ~1 MB compressed, under the repository's file-size limit; licences next
to them) and served with `Content-Encoding: gzip`; a client that does not accept gzip
gets the file decompressed once and kept in memory. `/docs` (Swagger UI) and `/redoc`
load only these local files, so the API docs work offline.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
VENDOR = STATIC / "vendor"
MERMAID_GZ = VENDOR / "mermaid.min.js.gz"
MERMAID_URL = "/static/vendor/mermaid.min.js"
JS_TYPE = "text/javascript; charset=utf-8"
CSS_TYPE = "text/css; charset=utf-8"
VENDORED = {
    "mermaid.min.js": JS_TYPE,
    "swagger-ui-bundle.js": JS_TYPE,
    "swagger-ui.css": CSS_TYPE,
    "redoc.standalone.js": JS_TYPE,
}
"""Vendored files served from their `.gz` (name → media type)."""

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


@router.get("/benchmarks/{benchmark_id}", response_class=HTMLResponse)
def benchmark_page(request: Request, benchmark_id: str) -> HTMLResponse:
    return _page(request, "benchmark", f"Benchmark {benchmark_id}", benchmark_id=benchmark_id)


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request) -> HTMLResponse:
    return _page(request, "compare", "Compare agents")


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


@lru_cache(maxsize=len(VENDORED))
def _plain(name: str) -> bytes:
    return gzip.decompress((VENDOR / f"{name}.gz").read_bytes())


def _vendored(request: Request, name: str) -> Response:
    """A vendored file; cached for a day (the files change only with reev)."""
    headers = {"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
    media_type = VENDORED[name]
    if "gzip" in request.headers.get("accept-encoding", "").lower():
        headers["Content-Encoding"] = "gzip"
        return Response(
            (VENDOR / f"{name}.gz").read_bytes(), media_type=media_type, headers=headers
        )
    return Response(_plain(name), media_type=media_type, headers=headers)


@router.get(MERMAID_URL)
def mermaid_js(request: Request) -> Response:
    return _vendored(request, "mermaid.min.js")


@router.get("/static/vendor/swagger-ui-bundle.js")
def swagger_js(request: Request) -> Response:
    return _vendored(request, "swagger-ui-bundle.js")


@router.get("/static/vendor/swagger-ui.css")
def swagger_css(request: Request) -> Response:
    return _vendored(request, "swagger-ui.css")


@router.get("/static/vendor/redoc.standalone.js")
def redoc_js(request: Request) -> Response:
    return _vendored(request, "redoc.standalone.js")


@router.get("/docs", response_class=HTMLResponse)
def swagger_page(request: Request) -> HTMLResponse:
    """Swagger UI from the vendored files (no CDN)."""
    return get_swagger_ui_html(
        openapi_url=str(request.app.openapi_url),
        title=f"{request.app.title} · API docs",
        swagger_js_url="/static/vendor/swagger-ui-bundle.js",
        swagger_css_url="/static/vendor/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )


@router.get("/redoc", response_class=HTMLResponse)
def redoc_page(request: Request) -> HTMLResponse:
    """ReDoc from the vendored file, without web fonts (no CDN)."""
    return get_redoc_html(
        openapi_url=str(request.app.openapi_url),
        title=f"{request.app.title} · API reference",
        redoc_js_url="/static/vendor/redoc.standalone.js",
        redoc_favicon_url="/static/favicon.svg",
        with_google_fonts=False,
    )


def mount(app: FastAPI) -> None:
    """Add the pages and `/static` to the API app (called by `reev.api.app.create_app`)."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
