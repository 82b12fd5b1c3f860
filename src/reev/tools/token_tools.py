"""The token, wSOL, delegation, supply and memo tools of the suite, in listing order."""

from __future__ import annotations

from typing import Any

from reev.tools.accounts import CLOSE_TOKEN_ACCOUNT, CREATE_ASSOCIATED_TOKEN_ACCOUNT
from reev.tools.base import Tool
from reev.tools.checked import SPL_TRANSFER_CHECKED
from reev.tools.delegate import APPROVE_DELEGATE, REVOKE_DELEGATE
from reev.tools.memo import SEND_MEMO
from reev.tools.supply import BURN_TOKENS, MINT_TOKENS
from reev.tools.wsol import UNWRAP_SOL, WRAP_SOL

TOKEN_TOOLS: tuple[Tool[Any], ...] = (
    SPL_TRANSFER_CHECKED,
    CREATE_ASSOCIATED_TOKEN_ACCOUNT,
    CLOSE_TOKEN_ACCOUNT,
    WRAP_SOL,
    UNWRAP_SOL,
    APPROVE_DELEGATE,
    REVOKE_DELEGATE,
    BURN_TOKENS,
    MINT_TOKENS,
    SEND_MEMO,
)
