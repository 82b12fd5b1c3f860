"""Every route documents what it answers, and the API docs need nothing off the server."""

from __future__ import annotations

import re
from typing import Any

from tests.api.conftest import ServeProcess


def _typed(schema: dict[str, Any], spec: dict[str, Any]) -> bool:
    """A schema that names its fields (a model, a list of models or of plain values)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        target = spec["components"]["schemas"][name]
        return bool(target.get("properties")) or "anyOf" in target
    if schema.get("type") == "array":
        return _typed(schema.get("items", {}), spec) or schema.get("items", {}).get("type") in (
            "string",
            "integer",
            "number",
        )
    if "anyOf" in schema:
        return all(_typed(s, spec) or s.get("type") == "null" for s in schema["anyOf"])
    return bool(schema.get("properties"))


def test_every_operation_declares_a_typed_answer(shared_server: ServeProcess) -> None:
    spec = shared_server.get("/openapi.json").json()
    untyped = []
    operations = 0
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            operations += 1
            ok = next(v for k, v in op["responses"].items() if k.startswith("2"))
            content = ok.get("content", {})
            if "text/event-stream" in content:  # server-sent events: a stream, not JSON
                continue
            schema = content.get("application/json", {}).get("schema", {})
            if not _typed(schema, spec):
                untyped.append(f"{method.upper()} {path}")
    assert operations >= 25
    assert untyped == []


def test_docs_pages_load_only_local_assets(shared_server: ServeProcess) -> None:
    for page in ("/docs", "/redoc"):
        html = shared_server.get(page).text
        urls = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
        assert urls, page
        assert all(u.startswith("/") for u in urls), (page, urls)
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        answer = shared_server.get(f"/static/vendor/{asset}")
        assert answer.status_code == 200
        assert len(answer.content) > 20_000
        assert b"cdn.redoc.ly" not in answer.content
