"""Resolve a benchmark's placeholders to pubkeys, and derive the keys the harness signs with.

* wallet, mint and other account placeholders: keypair derived from (seed, name)
  (see `reev.benchmark.keys`), or random keys when asked;
* token-account items (owner SPL Token or Token-2022, with `data:`): the associated token
  account of (data.owner, data.mint) for that token program;
* literal base58 pubkeys map to themselves.

The private keys stay in `KeyRing.signers`; only `key_map` (public) ever leaves the harness.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from solders.keypair import Keypair
from solders.pubkey import Pubkey

from reev.benchmark.keys import derived_key, is_placeholder
from reev.benchmark.model import Benchmark
from reev.programs.ata import associated_token_address


@dataclass
class KeyRing:
    """Placeholder → pubkey map (public) and the keypairs the harness may sign with (secret)."""

    key_map: dict[str, str] = field(default_factory=dict)
    signers: dict[str, Keypair] = field(default_factory=dict, repr=False)
    # The pubkeys whose keys sign the agent's transactions (the signing policy): the user's
    # wallet and the benchmark's `agent_keys`. Every other key only builds initial state.
    agent_pubkeys: frozenset[str] = frozenset()

    def agent_signer(self, pubkey: str) -> Keypair | None:
        """The keypair the agent may sign with for `pubkey`, or None (not the agent's)."""
        return self.signers.get(pubkey) if pubkey in self.agent_pubkeys else None

    def pubkey(self, name_or_pubkey: str) -> Pubkey:
        """The pubkey of a placeholder name or base58 string; KeyError when neither."""
        value = self.key_map.get(name_or_pubkey, name_or_pubkey)
        try:
            return Pubkey.from_string(value)
        except ValueError as exc:
            raise KeyError(f"unknown placeholder {name_or_pubkey!r}") from exc

    def has(self, name_or_pubkey: str) -> bool:
        """True when the name resolves to a pubkey."""
        try:
            self.pubkey(name_or_pubkey)
        except KeyError:
            return False
        return True


def resolve_keys(benchmark: Benchmark, seed: int = 0, random_keys: bool = False) -> KeyRing:
    """Build the KeyRing of one episode."""
    ring = KeyRing()

    def keypair(name: str) -> tuple[Keypair, str]:
        if random_keys:
            fresh = Keypair()
            return fresh, str(fresh.pubkey())
        return derived_key(seed, name)

    # First every non-token-account placeholder (wallets, mints, raw accounts) ...
    for item in benchmark.initial_state:
        if item.is_token_account or not is_placeholder(item.pubkey):
            continue
        kp, address = keypair(item.pubkey)
        ring.key_map[item.pubkey] = address
        ring.signers[address] = kp
    # Agent keys the initial state does not declare: fresh accounts the agent creates.
    for name in benchmark.agent_keys:
        if name not in ring.key_map:
            kp, address = keypair(name)
            ring.key_map[name] = address
            ring.signers[address] = kp
    # ... then token accounts, whose addresses derive from their owner wallet and mint.
    for item in benchmark.initial_state:
        if item.data is None:
            continue
        wallet = ring.pubkey(item.data.owner)
        mint = ring.pubkey(item.data.mint)
        ata = associated_token_address(wallet, mint, Pubkey.from_string(item.owner))
        if is_placeholder(item.pubkey):
            ring.key_map[item.pubkey] = str(ata)
    ring.agent_pubkeys = frozenset(
        ring.key_map[name] for name in benchmark.agent_signers if name in ring.key_map
    )
    return ring
