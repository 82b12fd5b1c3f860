"""reev's terminal UI (`reev tui`), built on Textual. See docs/tui.md."""

from reev.tui.app import ReevApp
from reev.tui.session import TuiSession

__all__ = ["ReevApp", "TuiSession"]
