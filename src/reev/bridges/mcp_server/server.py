"""`reev mcp`: reev's episodes behind the Model Context Protocol (the official `mcp` SDK).

Tools: every reev tool with its name, description and JSON schema (`Tool.parameters_schema`,
the same the `openai` agent sends), plus `finish`. Resource: `reev://task`, the current
request. Instructions: the rules and the first request. The calls go to `McpEpisodes`,
which runs them through reev's pipeline. Transports: stdio (the client launches
`reev mcp`) or streamable HTTP on loopback (`--http PORT`).
"""

from __future__ import annotations

import json
from typing import Any

import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server

from reev.bridges.mcp_server.session import FINISH_TOOL, TASK_URI, McpEpisodes
from reev.tools.registry import TOOLS

SERVER_NAME = "reev"
UNNAMED_CLIENT = "unnamed-client"

FINISH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "summary": {
            "type": "string",
            "description": "A short plain-text summary of what was done (or why not).",
        }
    },
}
FINISH_DESCRIPTION = (
    "Say the current request is done (or cannot be done). The episode is then scored on "
    "chain and stored; the answer is the score and the next request, if any."
)


def client_name(ctx: ServerRequestContext[Any]) -> str:
    """The name the client gave in its `clientInfo` (`unnamed-client` when it gave none)."""
    params = ctx.session.client_params
    info = params.client_info if params is not None else None
    name = (info.name or "").strip() if info is not None else ""
    return name or UNNAMED_CLIENT


def mcp_tools() -> list[types.Tool]:
    """reev's tools (sorted by name) and `finish`, as MCP tools."""
    tools = [
        types.Tool(name=t.name, description=t.description, input_schema=t.parameters_schema())
        for t in (TOOLS[n] for n in sorted(TOOLS))
    ]
    tools.append(
        types.Tool(name=FINISH_TOOL, description=FINISH_DESCRIPTION, input_schema=FINISH_SCHEMA)
    )
    return tools


def _text_result(text: str, *, error: bool, data: Any = None) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(text=text)],
        structured_content=data,
        is_error=error,
    )


def build_server(episodes: McpEpisodes) -> Server[Any]:
    """The MCP server of `episodes` (a lowlevel `Server`, so schemas are reev's own)."""
    tools = mcp_tools()

    async def list_tools(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tools)

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        args = dict(params.arguments or {})
        client = client_name(ctx)
        if params.name == FINISH_TOOL:
            summary = args.get("summary")
            text, error = await episodes.finish(
                client, summary if isinstance(summary, str) else None
            )
            return _text_result(text, error=error)
        if params.name not in TOOLS:
            known = ", ".join([*sorted(TOOLS), FINISH_TOOL])
            return _text_result(f"unknown tool {params.name!r}; known tools: {known}", error=True)
        payload = await episodes.call_tool(client, params.name, args)
        return _text_result(
            json.dumps(payload, default=str),
            error=payload.get("status") != "ok",
            data=json.loads(json.dumps(payload, default=str)),
        )

    async def list_resources(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        return types.ListResourcesResult(
            resources=[
                types.Resource(
                    uri=TASK_URI,
                    name="task",
                    description="The current request, with the accounts and their balances.",
                    mime_type="text/plain",
                )
            ]
        )

    async def read_resource(
        ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        if str(params.uri) != TASK_URI:
            raise ValueError(f"unknown resource {params.uri!r}; this server has {TASK_URI}")
        text = await episodes.task_text(client_name(ctx))
        return types.ReadResourceResult(
            contents=[types.TextResourceContents(uri=TASK_URI, text=text, mime_type="text/plain")]
        )

    return Server(
        SERVER_NAME,
        version=_version(),
        instructions=episodes.instructions(),
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_read_resource=read_resource,
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("reev")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0"


async def serve_stdio(episodes: McpEpisodes) -> None:
    """Serve one client over stdin/stdout until it disconnects, then record what is left."""
    from mcp.server.stdio import stdio_server

    server = build_server(episodes)
    try:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())
    finally:
        await episodes.close("the MCP client disconnected before calling finish")


async def serve_http(episodes: McpEpisodes, host: str, port: int) -> None:
    """Serve streamable HTTP at http://HOST:PORT/mcp until interrupted."""
    import uvicorn

    app = build_server(episodes).streamable_http_app(host=host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    try:
        await uvicorn.Server(config).serve()
    finally:
        await episodes.close("the MCP server stopped before the client called finish")
