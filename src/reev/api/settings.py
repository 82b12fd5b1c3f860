"""Server settings: one frozen object built by `reev serve` (or a test) and read by the app."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from reev.inputs.hosts import HOSTS_ENV, LOOPBACK_HOSTS, allowed_hosts_from_env

__all__ = [
    "BASE_URLS_ENV",
    "CORS_ENV",
    "HOSTS_ENV",
    "LOOPBACK_HOSTS",
    "TOKEN_ENV",
    "ApiSettings",
    "allowed_base_urls_from_env",
    "allowed_hosts_from_env",
    "cors_from_env",
    "default_benchmark_dirs",
    "token_from_env",
]

TOKEN_ENV = "REEV_API_TOKEN"
CORS_ENV = "REEV_CORS_ORIGINS"
BASE_URLS_ENV = "REEV_ALLOWED_BASE_URLS"


def default_benchmark_dirs() -> list[Path]:
    """`./benchmarks` when it exists, else the suite bundled with the package."""
    local = Path("benchmarks")
    if local.is_dir():
        return [local.resolve()]
    bundled = Path(__file__).resolve().parent.parent / "_bundled_benchmarks"
    if bundled.is_dir():
        return [bundled]
    repo = Path(__file__).resolve().parents[3] / "benchmarks"  # editable install
    return [repo] if repo.is_dir() else []


def token_from_env() -> str | None:
    """`REEV_API_TOKEN`, or None when unset or blank."""
    value = os.environ.get(TOKEN_ENV, "").strip()
    return value or None


def cors_from_env() -> list[str]:
    """Comma-separated `REEV_CORS_ORIGINS` (empty: CORS closed)."""
    return [o.strip() for o in os.environ.get(CORS_ENV, "").split(",") if o.strip()]


def _list_env(name: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, "").split(",") if v.strip()]


def allowed_base_urls_from_env() -> list[str]:
    """Comma-separated `REEV_ALLOWED_BASE_URLS` (empty: posted runs may not set base_url)."""
    return _list_env(BASE_URLS_ENV)


@dataclass(frozen=True)
class ApiSettings:
    """Everything the app needs to know; defaults are the safe ones."""

    db_url: str | None = None
    workers: int = 2
    # Child processes running the workers (0: the workers run in the server's process)
    worker_processes: int = 0
    benchmark_dirs: list[Path] = field(default_factory=default_benchmark_dirs)
    token: str | None = None
    cors_origins: list[str] = field(default_factory=list)
    # Host names the server answers to (`*.example.com`, `*` for any); see api/security.py
    allowed_hosts: list[str] = field(default_factory=lambda: list(LOOPBACK_HOSTS))
    # Endpoints a posted run's base_url may point into (URL prefixes; `*` for any)
    allowed_base_urls: list[str] = field(default_factory=list)
    max_body_bytes: int = 1_048_576
    max_yaml_bytes: int = 262_144
    max_jobs_per_request: int = 5_000
    episode_timeout: float | None = 600.0
    poll_interval: float = 0.05
    heartbeat_interval: float = 2.0
    stale_after: float = 30.0
    shutdown_grace: float = 5.0
    sync_on_start: bool = True
    mermaid_js: str = field(
        default_factory=lambda: os.environ.get(
            "REEV_MERMAID_JS",
            "/static/vendor/mermaid.min.js",  # vendored by reev.web
        )
    )
