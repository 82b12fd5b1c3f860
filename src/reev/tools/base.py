"""The Tool abstraction: a pydantic argument model, a description, and a handler."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from pydantic import BaseModel, ValidationError
from solders.pubkey import Pubkey

from reev.results.chain import AccountState
from reev.results.instruction import RawInstruction


class ToolError(Exception):
    """A tool call that cannot be carried out; the message goes back to the model."""


class JsonApi(Protocol):
    """An upstream HTTP JSON API a tool may call (Jupiter: `tools.jupiter.JupiterClient`)."""

    def get(self, path: str, query: dict[str, str] | None = None) -> Any: ...

    def post(self, path: str, body: dict[str, Any]) -> Any: ...


class UpstreamUnavailable(ToolError):
    """The tool's upstream (Jupiter's API, an RPC node) could not answer: unreachable, a
    timeout, HTTP 429 or 5xx, or no recorded answer in a replay-only cassette.

    Not the agent's failure: the episode becomes an infrastructure error (retried by
    `--retry-errors`, left out of agent statistics) instead of a score against the agent.
    """

    reev_infrastructure = True


class ToolContext(Protocol):
    """What a tool may see: the public key map, live account reads, the episode's Jupiter."""

    @property
    def jupiter(self) -> JsonApi: ...

    @property
    def key_map(self) -> Mapping[str, str]: ...

    def account(self, pubkey: str) -> AccountState: ...

    def token_accounts_by_owner(self, owner: str) -> list[AccountState]: ...


@dataclass
class ToolOutput:
    """Instructions for the harness to execute, and/or data to show the model."""

    instructions: list[RawInstruction] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    # Address lookup tables the instructions' transaction should use (a v0 message).
    lookup_tables: list[str] = field(default_factory=list)


ArgsT = TypeVar("ArgsT", bound=BaseModel)


@dataclass(frozen=True)
class Tool(Generic[ArgsT]):
    """One agent tool."""

    name: str
    description: str
    args_model: type[ArgsT]
    handler: Callable[[ArgsT, ToolContext], ToolOutput]

    def parameters_schema(self) -> dict[str, Any]:
        """The JSON schema of the arguments (OpenAI function `parameters`)."""
        schema = self.args_model.model_json_schema()
        schema.pop("title", None)
        for prop in schema.get("properties", {}).values():
            prop.pop("title", None)
        return schema

    def openai_schema(self) -> dict[str, Any]:
        """The tool as an OpenAI chat-completions `tools` entry."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters_schema(),
            },
        }

    def invoke(self, args: Mapping[str, Any], ctx: ToolContext) -> ToolOutput:
        """Validate `args` and run the handler; invalid input raises ToolError."""
        try:
            parsed = self.args_model.model_validate(dict(args))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg']}"
                for e in exc.errors()
            )
            raise ToolError(f"invalid arguments for {self.name}: {problems}") from exc
        return self.handler(parsed, ctx)


def resolve(ctx: ToolContext, value: str, arg: str) -> Pubkey:
    """A pubkey from a placeholder name or base58 text, or a ToolError naming the argument."""
    text = ctx.key_map.get(value.strip(), value.strip())
    try:
        return Pubkey.from_string(text)
    except ValueError as exc:
        raise ToolError(
            f"{arg}: {value!r} is neither a base58 pubkey nor a known placeholder"
        ) from exc
