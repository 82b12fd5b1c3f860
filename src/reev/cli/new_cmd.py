"""`reev new NAME --from FAMILY`: write a commented starting benchmark that validates."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from reev.cli.common import console, usage_error

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def new(
    name: Annotated[str, typer.Argument(help="The new benchmark's id; the file is NAME.yml.")],
    family: Annotated[
        str,
        typer.Option(
            "--from", help="Starting family (an unknown name lists them all), e.g. spl-transfer."
        ),
    ] = "sol-transfer",
    directory: Annotated[Path, typer.Option("--dir", help="Where to write the file.")] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write NAME.yml: a commented benchmark of FAMILY that passes `reev validate`."""
    # Here, not at module level: importing reev.benchmark loads pydantic and the schema,
    # which `reev --help` must not pay for (tests/cli/test_startup.py).
    from reev.benchmark.starters import starter_text

    if not _ID.match(name):
        raise usage_error(f"NAME {name!r}: letters, digits, '.', '_', '-' (at most 100)")
    try:
        text = starter_text(name, family)
    except KeyError as exc:
        raise usage_error(str(exc.args[0])) from None
    path = directory / f"{name}.yml"
    if path.exists() and not force:
        raise usage_error(f"{path} exists (use --force to overwrite)")
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    console.print(f"wrote {path}; check it with `reev validate {path}`", highlight=False)
