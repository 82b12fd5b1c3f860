"""The results store: SQLAlchemy models, Alembic migrations, and the Store API that
every reader and writer (runner, CLI report, API, web, TUI) goes through.

See docs/store.md for the public functions."""

import reev.store.api_models  # noqa: F401  (the API queue tables join Base; docs/api.md)
from reev.results.summaries import BenchmarkVersionInfo, EpisodeSummary, RunInfo
from reev.store.engine import StoreError, data_dir, default_database_url, resolve_url
from reev.store.store import (
    AbandonedRun,
    EpisodeKey,
    RunBusyError,
    Store,
    content_hash,
    open_store,
)

__all__ = [
    "AbandonedRun",
    "BenchmarkVersionInfo",
    "EpisodeKey",
    "EpisodeSummary",
    "RunBusyError",
    "RunInfo",
    "Store",
    "StoreError",
    "content_hash",
    "data_dir",
    "default_database_url",
    "open_store",
    "resolve_url",
]
