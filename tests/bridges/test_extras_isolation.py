"""The bridges' extras are imported only when a bridge is used, never by the base CLI."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
import reev.cli.app, reev.bridges, reev.bridges.driven, reev.bridges.selection
import reev.bridges.explain, reev.cli.mcp_cmd, reev.bridges.mcp_server.session
loaded = sorted(m for m in ("inspect_ai", "mcp", "mcp_types") if m in sys.modules)
print(",".join(loaded) or "none")
"""


def test_base_cli_and_bridge_core_do_not_import_inspect_or_mcp() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True, timeout=120
    )
    assert out.stdout.strip() == "none"
