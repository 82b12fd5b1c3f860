"""`reev cache`: inspect or clear the model-call cache that `reev run --cache` fills."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from reev.cli.common import console, usage_error

if TYPE_CHECKING:
    from reev.store.cache import ModelCallCache

cache_app = typer.Typer(
    help="The model-call cache (`reev run --cache`).",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help, as the `reev` group (reev.cli.app)
)

DbOpt = Annotated[
    str | None,
    typer.Option("--db", help="Database URL or SQLite path (default: REEV_DATABASE_URL)."),
]


def _cache(db: str | None) -> ModelCallCache:
    from reev.store import StoreError, open_store
    from reev.store.cache import ModelCallCache

    try:
        return ModelCallCache(open_store(db))
    except StoreError as exc:
        raise usage_error(str(exc)) from exc


@cache_app.command("clear")
def clear(
    db: DbOpt = None,
    model: Annotated[str | None, typer.Option("--model", help="Only this model's entries.")] = None,
) -> None:
    """Delete cached model responses."""
    cache = _cache(db)
    with cache.store:
        removed = cache.clear(model)
    console.print(f"removed {removed} cached model response{'s' if removed != 1 else ''}")


@cache_app.command("stats")
def stats(db: DbOpt = None) -> None:
    """How many responses are cached, and how often they were reused."""
    cache = _cache(db)
    with cache.store:
        data = cache.stats()
    console.print(f"{data['entries']} cached responses, {data['hits']} hits")
    for model, row in sorted(data["models"].items()):
        console.print(f"  {model}: {row['entries']} entries, {row['hits']} hits")
