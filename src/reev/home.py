"""Where reev keeps its files when no place is named: `$REEV_HOME`, else
`$XDG_DATA_HOME/reev`, else `~/.local/share/reev` — never the working directory.

The default SQLite database (`reev.db`) and the default session files (`sessions/`) live
there. Standard library only, so the CLI can name these places without loading the store.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "REEV_HOME"


def data_dir() -> Path:
    """Where reev keeps its default files: $REEV_HOME, else $XDG_DATA_HOME/reev."""
    home = os.environ.get(ENV_HOME)
    if home:
        return Path(home).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "reev"
