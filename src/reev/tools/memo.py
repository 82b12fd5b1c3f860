"""`send_memo`: record a UTF-8 note on chain with the Memo program, signed by the user."""

from __future__ import annotations

from pydantic import BaseModel, Field

from reev.programs import memo
from reev.results.instruction import RawInstruction
from reev.tools.base import Tool, ToolContext, ToolError, ToolOutput, resolve

MAX_MEMO_BYTES = 566  # what fits in one transaction beside the signature and accounts


class SendMemoArgs(BaseModel):
    user_pubkey: str = Field(description="The user's wallet, which signs the memo.")
    memo: str = Field(description="The text to record (UTF-8).")


def _send_memo(args: SendMemoArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    if not args.memo.strip():
        raise ToolError("memo: the memo is empty")
    size = len(args.memo.encode("utf-8"))
    if size > MAX_MEMO_BYTES:
        raise ToolError(f"memo: {size} bytes is longer than the {MAX_MEMO_BYTES} that fit")
    ix = memo.memo(args.memo, [user])
    return ToolOutput(
        instructions=[RawInstruction.from_instruction(ix)],
        data={"memo": args.memo, "signer": str(user)},
    )


SEND_MEMO: Tool[SendMemoArgs] = Tool(
    name="send_memo",
    description=(
        "Record a text memo on chain (Memo program), signed by the user; e.g. a payment "
        "reference sent right after the payment."
    ),
    args_model=SendMemoArgs,
    handler=_send_memo,
)
