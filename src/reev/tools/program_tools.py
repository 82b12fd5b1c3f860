"""The tools of the programs beyond System and SPL Token basics, in listing order:
account reads, stake, durable nonce, lookup tables, compute budget, token
administration, Token-2022 extensions."""

from __future__ import annotations

from typing import Any

from reev.tools.account_info import GET_ACCOUNT_INFO
from reev.tools.base import Tool
from reev.tools.lookup_table import LOOKUP_TABLE_TOOLS
from reev.tools.nonce import NONCE_TOOLS
from reev.tools.priority import SOL_TRANSFER_WITH_PRIORITY_FEE
from reev.tools.stake import STAKE_TOOLS
from reev.tools.token2022 import TOKEN_2022_TOOLS
from reev.tools.token_admin import TOKEN_ADMIN_TOOLS

PROGRAM_TOOLS: tuple[Tool[Any], ...] = (
    GET_ACCOUNT_INFO,
    *STAKE_TOOLS,
    *NONCE_TOOLS,
    *LOOKUP_TABLE_TOOLS,
    SOL_TRANSFER_WITH_PRIORITY_FEE,
    *TOKEN_ADMIN_TOOLS,
    *TOKEN_2022_TOOLS,
)
