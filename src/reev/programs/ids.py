"""Well-known program ids and their human names."""

from solders.pubkey import Pubkey

SYSTEM_PROGRAM = Pubkey.from_string("11111111111111111111111111111111")
TOKEN_PROGRAM = Pubkey.from_string("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
TOKEN_2022_PROGRAM = Pubkey.from_string("TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb")
ASSOCIATED_TOKEN_PROGRAM = Pubkey.from_string("ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL")
MEMO_PROGRAM = Pubkey.from_string("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr")
MEMO_V1_PROGRAM = Pubkey.from_string("Memo1UhkJRfHyvLMcVucJwxXeuD728EqVDDwQDxFMNo")
COMPUTE_BUDGET_PROGRAM = Pubkey.from_string("ComputeBudget111111111111111111111111111111")
NATIVE_MINT = Pubkey.from_string("So11111111111111111111111111111111111111112")
RENT_SYSVAR = Pubkey.from_string("SysvarRent111111111111111111111111111111111")
STAKE_PROGRAM = Pubkey.from_string("Stake11111111111111111111111111111111111111")
VOTE_PROGRAM = Pubkey.from_string("Vote111111111111111111111111111111111111111")
LOOKUP_TABLE_PROGRAM = Pubkey.from_string("AddressLookupTab1e1111111111111111111111111")
STAKE_CONFIG = Pubkey.from_string("StakeConfig11111111111111111111111111111111")
CLOCK_SYSVAR = Pubkey.from_string("SysvarC1ock11111111111111111111111111111111")
STAKE_HISTORY_SYSVAR = Pubkey.from_string("SysvarStakeHistory1111111111111111111111111")
RECENT_BLOCKHASHES_SYSVAR = Pubkey.from_string("SysvarRecentB1ockHashes11111111111111111111")

TOKEN_PROGRAMS = frozenset({TOKEN_PROGRAM, TOKEN_2022_PROGRAM})

PROGRAM_NAMES: dict[Pubkey, str] = {
    SYSTEM_PROGRAM: "System Program",
    TOKEN_PROGRAM: "SPL Token",
    TOKEN_2022_PROGRAM: "Token-2022",
    ASSOCIATED_TOKEN_PROGRAM: "Associated Token Account",
    MEMO_PROGRAM: "Memo",
    MEMO_V1_PROGRAM: "Memo (v1)",
    COMPUTE_BUDGET_PROGRAM: "Compute Budget",
    STAKE_PROGRAM: "Stake",
    VOTE_PROGRAM: "Vote",
    LOOKUP_TABLE_PROGRAM: "Address Lookup Table",
}


def program_name(program_id: Pubkey | str) -> str:
    """A readable name for a program id, or the id itself when unknown."""
    key = program_id if isinstance(program_id, Pubkey) else _parse(program_id)
    if key is None:
        return str(program_id)
    return PROGRAM_NAMES.get(key, str(key))


def _parse(text: str) -> Pubkey | None:
    try:
        return Pubkey.from_string(text)
    except ValueError:
        return None
