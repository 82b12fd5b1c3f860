"""Which benchmarks a bridge serves: paths, then optional tags and ids, in path order."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reev.runner.suite import LoadedBenchmark, load_all


def shipped_suite() -> Path:
    """The benchmark folder installed with reev (the wheel's copy, or the repository's)."""
    here = Path(__file__).resolve().parent.parent
    bundled = here / "_bundled_benchmarks"
    if bundled.is_dir():
        return bundled
    return here.parents[1] / "benchmarks"  # editable install: <repo>/src/reev -> <repo>


def split_list(value: str | Sequence[str] | None) -> list[str]:
    """A list from `a,b` text (Inspect's `-T tags=a,b`) or a list; None → []."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [item.strip() for item in items if item.strip()]


def select_benchmarks(
    paths: str | Sequence[str] | None,
    tags: str | Sequence[str] | None = None,
    ids: str | Sequence[str] | None = None,
) -> list[LoadedBenchmark]:
    """Load the benchmarks under `paths` (default: the shipped suite) and keep those with
    any of `tags` and, when given, one of `ids`. Files that fail to load are kept (they
    become error results); a filter that matches nothing is an error."""
    roots = split_list(paths) or [str(shipped_suite())]
    loaded = load_all(roots)
    if not loaded:
        raise ValueError(f"no benchmark files under {', '.join(roots)}")
    wanted_tags, wanted_ids = set(split_list(tags)), set(split_list(ids))
    if wanted_tags:
        loaded = [
            item
            for item in loaded
            if item.benchmark is not None and wanted_tags & set(item.benchmark.tags)
        ]
    if wanted_ids:
        loaded = [item for item in loaded if sample_id(item) in wanted_ids]
        missing = wanted_ids - {sample_id(item) for item in loaded}
        if missing:
            raise ValueError(f"no benchmark with id {', '.join(sorted(missing))} under {roots}")
    if not loaded:
        raise ValueError(
            f"no benchmark under {', '.join(roots)} has any of the tags {sorted(wanted_tags)}"
        )
    ids_seen: dict[str, Path] = {}
    for item in loaded:
        other = ids_seen.setdefault(sample_id(item), item.file)
        if other != item.file:
            raise ValueError(
                f"benchmark id {sample_id(item)!r} is used by both {other} and {item.file}"
            )
    return loaded


def sample_id(item: LoadedBenchmark) -> str:
    """The benchmark's id, or its file name when it did not load."""
    return item.benchmark.id if item.benchmark is not None else item.file.stem
