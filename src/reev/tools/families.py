"""Tool families: the groups a benchmark may name (`tools: [transfer, memo]`) so an agent
is offered only the tools its task can use, and the prompt lists them grouped.

A tool in no family here (a new one) falls in `other`, which is always offered: a tool is
never hidden by forgetting to list it.
"""

from __future__ import annotations

FAMILIES: dict[str, tuple[str, ...]] = {
    "transfer": ("sol_transfer", "spl_transfer", "spl_transfer_checked"),
    "accounts": ("get_account_balance", "create_associated_token_account", "close_token_account"),
    "wsol": ("wrap_sol", "unwrap_sol"),
    "memo": ("send_memo",),
    "delegate": ("approve_delegate", "revoke_delegate"),
    "supply": ("mint_tokens", "burn_tokens"),
    "jupiter": (
        "jupiter_swap",
        "jupiter_lend_earn_deposit",
        "jupiter_lend_earn_withdraw",
        "jupiter_lend_earn_mint",
        "jupiter_lend_earn_redeem",
        "jupiter_earn",
        "get_lend_earn_tokens",
    ),
}
OTHER = "other"
# Families whose tools call an upstream service: offered only when it is configured.
UPSTREAM_FAMILIES: dict[str, str] = {"jupiter": "Jupiter API"}

_FAMILY_OF = {tool: family for family, tools in FAMILIES.items() for tool in tools}


def family_of(tool_name: str) -> str:
    """The family of a tool (`other` for a tool no family lists)."""
    return _FAMILY_OF.get(tool_name, OTHER)


def known_families() -> list[str]:
    """Every family a benchmark may name."""
    return [*FAMILIES, OTHER]
