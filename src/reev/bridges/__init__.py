"""Bridges: reev's episodes driven from outside — by Inspect's model loop (`inspect_task`)
or by an MCP client (`mcp_server`).

Neither bridge runs an episode itself. Both hand reev's run pipeline a `DrivenAgent`
(`driven.py`) whose steps are carried out by the outside driver through reev's harness,
so reset, signing, scoring and storage are exactly those of `reev run`. The optional
extras (`reev[inspect]`, `reev[mcp]`) are imported only by the bridge modules that need
them; importing `reev.bridges` or `reev.bridges.driven` pulls in neither.
"""
