"""`send_memo`: record a UTF-8 note on chain with the Memo program, signed by the user."""

from __future__ import annotations

from pydantic import BaseModel, Field
from solders.pubkey import Pubkey

from reev.programs import memo
from reev.results.instruction import RawInstruction
from reev.tools.base import Tool, ToolContext, ToolError, ToolOutput, resolve

MAX_MEMO_BYTES = 566  # what fits in one transaction beside the signature and accounts


class SendMemoArgs(BaseModel):
    user_pubkey: str = Field(description="The user's wallet, which signs the memo.")
    memo: str = Field(description="The text to record (UTF-8).")


def memo_instruction(text: str, signer: Pubkey) -> RawInstruction:
    """A Memo instruction signed by `signer`; a ToolError for an empty or oversized memo."""
    if not text.strip():
        raise ToolError("memo: the memo is empty")
    size = len(text.encode("utf-8"))
    if size > MAX_MEMO_BYTES:
        raise ToolError(f"memo: {size} bytes is longer than the {MAX_MEMO_BYTES} that fit")
    return RawInstruction.from_instruction(memo.memo(text, [signer]))


def _send_memo(args: SendMemoArgs, ctx: ToolContext) -> ToolOutput:
    user = resolve(ctx, args.user_pubkey, "user_pubkey")
    return ToolOutput(
        instructions=[memo_instruction(args.memo, user)],
        data={"memo": args.memo, "signer": str(user)},
    )


SEND_MEMO: Tool[SendMemoArgs] = Tool(
    name="send_memo",
    description=(
        "Record a text memo on chain (Memo program), signed by the user, in a transaction of "
        "its own. To annotate a payment, pass `memo` to sol_transfer/spl_transfer instead."
    ),
    args_model=SendMemoArgs,
    handler=_send_memo,
)
