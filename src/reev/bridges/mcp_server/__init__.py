"""`reev mcp`: an episode (or a suite, one benchmark after another) served over MCP.

`session.py` holds the episodes a client drives and imports no MCP code; `server.py`
puts them behind the `mcp` SDK (`pip install 'reev[mcp]'`; docs/mcp.md).
"""
