"""Tool families: the groups a benchmark may name (`tool_families: [transfer, memo]`) so an agent
is offered only the tools its task can use, and the prompt lists them grouped.

A tool in no family here (a new one) falls in `other`, which is always offered: a tool is
never hidden by forgetting to list it.
"""

from __future__ import annotations

FAMILIES: dict[str, tuple[str, ...]] = {
    "transfer": ("sol_transfer", "spl_transfer", "spl_transfer_checked"),
    "accounts": (
        "get_account_balance",
        "get_account_info",
        "create_associated_token_account",
        "close_token_account",
    ),
    "wsol": ("wrap_sol", "unwrap_sol"),
    "memo": ("send_memo", "spl_transfer_with_memo"),
    "delegate": ("approve_delegate", "revoke_delegate", "spl_transfer_as_delegate"),
    "supply": ("mint_tokens", "burn_tokens"),
    "batch": ("sol_transfer_many",),
    "priority": ("sol_transfer_with_priority_fee",),
    "nonce": ("create_nonce_account", "advance_nonce_account", "sol_transfer_durable"),
    "stake": (
        "create_stake_account",
        "delegate_stake",
        "deactivate_stake",
        "withdraw_stake",
        "split_stake",
        "merge_stake",
    ),
    "lookup_table": ("create_lookup_table", "extend_lookup_table"),
    "token2022": (
        "get_transfer_fee",
        "spl_transfer_with_fee",
        "set_memo_requirement",
        "set_interest_rate",
    ),
    "authority": (
        "set_token_authority",
        "freeze_token_account",
        "thaw_token_account",
        "multisig_spl_transfer",
    ),
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
