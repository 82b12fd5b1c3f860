"""Placeholders and deterministic keys.

A `pubkey` string that does not parse as a base58 pubkey is a placeholder. Wallet-like
placeholders get an ed25519 keypair derived from (seed, placeholder name):

    secret_seed = SHA-256( b"reev-key-v1" || b"\\x00" || str(seed) || b"\\x00" || name )
    keypair     = Keypair.from_seed(secret_seed)

so the same benchmark and seed always give the same addresses, and different names or
seeds never collide. `random_keys=True` draws fresh keypairs instead.

Telling a pubkey from a placeholder is plain Python (the same answer as solders'
`Pubkey.from_string`, tests/benchmark/test_keys.py compares them), so validating a
benchmark file does not load solders; deriving a keypair does.
"""

from __future__ import annotations

import functools
import hashlib
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from solders.keypair import Keypair

KEY_DERIVATION_DOMAIN = b"reev-key-v1"

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_DIGIT = {c: i for i, c in enumerate(BASE58_ALPHABET)}
_PUBKEY_BYTES = 32
_MAX_PUBKEY_CHARS = 44  # Solana's MAX_BASE58_LEN: longer text is never a pubkey


@functools.lru_cache(maxsize=65_536)
def is_base58_pubkey(text: str) -> bool:
    """True when `text` is a valid base58 32-byte pubkey (what `Pubkey.from_string` takes).

    Base58 as Solana reads it: every leading `1` is a zero byte, the rest is a base-58
    number in big-endian bytes; a pubkey is exactly 32 bytes in at most 44 characters.
    """
    if not isinstance(text, str):
        raise TypeError(f"a pubkey is text, not {type(text).__name__}")
    if not 0 < len(text) <= _MAX_PUBKEY_CHARS:
        return False
    value = 0
    for char in text:
        digit = _BASE58_DIGIT.get(char)
        if digit is None:
            return False
        value = value * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    return zeros + (value.bit_length() + 7) // 8 == _PUBKEY_BYTES


def is_placeholder(text: str) -> bool:
    """A string that is not a base58 pubkey names a placeholder."""
    return not is_base58_pubkey(text)


def derive_keypair(seed: int, name: str) -> Keypair:
    """The keypair of placeholder `name` under `seed` (documented above; stable forever)."""
    from solders.keypair import Keypair

    material = KEY_DERIVATION_DOMAIN + b"\x00" + str(seed).encode() + b"\x00" + name.encode()
    return Keypair.from_seed(hashlib.sha256(material).digest())


@functools.lru_cache(maxsize=16_384)
def derived_key(seed: int, name: str) -> tuple[Keypair, str]:
    """`derive_keypair(seed, name)` with its base58 address, computed once per (seed,
    name) in a process: every episode of a benchmark and seed needs the same keys, and
    deriving one (ed25519 plus the address) costs ~30 µs, a tenth of a short episode's
    own work. A Keypair is immutable, so sharing it between episodes is safe."""
    keypair = derive_keypair(seed, name)
    return keypair, str(keypair.pubkey())


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def substitute_placeholders(text: str, key_map: dict[str, str]) -> str:
    """Replace whole-word placeholder names in free text by their base58 pubkeys."""
    names = {k for k in key_map if is_placeholder(k)}
    if not names:
        return text
    return _NAME.sub(lambda m: key_map[m.group(0)] if m.group(0) in names else m.group(0), text)
