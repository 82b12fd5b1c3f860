"""Read queries the terminal UI needs and the Store API does not offer (yet).

The navigator shows, for one agent label (`NAME[:MODEL]`, `reev.store.labels`), the latest episode of every benchmark — whatever
interface recorded it (`reev run`, the API, an earlier TUI session). `Store.list_episodes`
would return every attempt of every run; this asks the database for just the newest
row per benchmark, using the store's own engine.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select

from reev.results.summaries import EpisodeSummary
from reev.store.labels import episode_label
from reev.store.models import Episode
from reev.store.store import Store, episode_summary

_FIELDS = list(EpisodeSummary.model_fields)


def latest_episodes(
    store: Store, agent: str, benchmark_ids: Collection[str] | None = None
) -> dict[str, EpisodeSummary]:
    """The most recently recorded episode of each benchmark for `agent`, by benchmark id."""
    rank = (
        func.row_number()
        .over(
            partition_by=Episode.benchmark_id,
            order_by=(Episode.recorded_at.desc(), Episode.execution_id.desc()),
        )
        .label("rank")
    )
    columns = [
        episode_label.label("agent") if name == "agent" else getattr(Episode, name)
        for name in _FIELDS
    ]
    inner = select(*columns, rank).where(episode_label == agent)
    if benchmark_ids is not None:
        inner = inner.where(Episode.benchmark_id.in_(list(benchmark_ids)))
    ranked = inner.subquery()
    query = select(*(ranked.c[name] for name in _FIELDS)).where(ranked.c.rank == 1)
    with store.engine.connect() as conn:
        rows = list(conn.execute(query))
    out: dict[str, EpisodeSummary] = {}
    for row in rows:
        summary = episode_summary(row)
        out[summary.benchmark_id] = summary
    return out
