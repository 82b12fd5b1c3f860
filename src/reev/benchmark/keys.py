"""Placeholders and deterministic keys.

A `pubkey` string that does not parse as a base58 pubkey is a placeholder. Wallet-like
placeholders get an ed25519 keypair derived from (seed, placeholder name):

    secret_seed = SHA-256( b"reev-key-v1" || b"\\x00" || str(seed) || b"\\x00" || name )
    keypair     = Keypair.from_seed(secret_seed)

so the same benchmark and seed always give the same addresses, and different names or
seeds never collide. `random_keys=True` draws fresh keypairs instead.
"""

from __future__ import annotations

import hashlib
import re

from solders.keypair import Keypair
from solders.pubkey import Pubkey

KEY_DERIVATION_DOMAIN = b"reev-key-v1"


def is_base58_pubkey(text: str) -> bool:
    """True when `text` is a valid base58 32-byte pubkey."""
    try:
        Pubkey.from_string(text)
    except ValueError:
        return False
    return True


def is_placeholder(text: str) -> bool:
    """A string that is not a base58 pubkey names a placeholder."""
    return not is_base58_pubkey(text)


def derive_keypair(seed: int, name: str) -> Keypair:
    """The keypair of placeholder `name` under `seed` (documented above; stable forever)."""
    material = KEY_DERIVATION_DOMAIN + b"\x00" + str(seed).encode() + b"\x00" + name.encode()
    return Keypair.from_seed(hashlib.sha256(material).digest())


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def substitute_placeholders(text: str, key_map: dict[str, str]) -> str:
    """Replace whole-word placeholder names in free text by their base58 pubkeys."""
    names = {k for k in key_map if is_placeholder(k)}
    if not names:
        return text
    return _NAME.sub(lambda m: key_map[m.group(0)] if m.group(0) in names else m.group(0), text)
