"""The web dashboard (`reev serve` at `/`): leaderboard, benchmarks, live runs, episodes.

Server side this package only serves page shells (Jinja2 templates) and static files;
every number on a page is fetched by the browser from `/api/v1`, so the dashboard holds
no business logic and shows exactly what the API answers. No build step: plain CSS and
JavaScript modules, with Mermaid vendored gzip-compressed (see `reev.web.routes`).
"""

from __future__ import annotations

from reev.web.routes import mount

__all__ = ["mount"]
