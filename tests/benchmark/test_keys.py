"""Key derivation is stable, documented, seed-dependent, and placeholders resolve everywhere."""

from __future__ import annotations

from pathlib import Path

from solders.pubkey import Pubkey

from reev.benchmark.keys import derive_keypair, is_placeholder, substitute_placeholders
from reev.benchmark.loader import load_benchmark
from reev.benchmark.resolve import resolve_keys
from reev.programs.ata import associated_token_address


def test_derivation_is_pinned() -> None:
    # Pinned value: changing the derivation would silently change every benchmark's keys.
    assert str(derive_keypair(0, "USER_WALLET_PUBKEY").pubkey()) == (
        "FoQQXrvt276e7MR6xgL8GTxpXoL5eV6U57JcZTQ8q8Ng"
    )


def test_derivation_depends_on_seed_and_name() -> None:
    a = derive_keypair(0, "USER_WALLET_PUBKEY").pubkey()
    assert derive_keypair(0, "USER_WALLET_PUBKEY").pubkey() == a
    assert derive_keypair(1, "USER_WALLET_PUBKEY").pubkey() != a
    assert derive_keypair(0, "RECIPIENT_WALLET_PUBKEY").pubkey() != a


def test_placeholder_detection() -> None:
    assert is_placeholder("USER_WALLET_PUBKEY")
    assert is_placeholder("UNUSED_PLACEHOLDER")
    assert not is_placeholder("11111111111111111111111111111111")
    assert not is_placeholder("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")


def test_token_account_placeholders_are_atas(originals: Path) -> None:
    b = load_benchmark(originals / "002-spl-transfer.yml")
    ring = resolve_keys(b, seed=3)
    usdc = Pubkey.from_string("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v")
    user = Pubkey.from_string(ring.key_map["USER_WALLET_PUBKEY"])
    assert ring.key_map["USER_USDC_ATA"] == str(associated_token_address(user, usdc))
    # only wallets hold keys; token accounts are program-derived addresses
    assert set(ring.signers) == {
        ring.key_map["USER_WALLET_PUBKEY"],
        ring.key_map["RECIPIENT_WALLET_PUBKEY"],
    }


def test_random_keys_differ_between_calls(originals: Path) -> None:
    b = load_benchmark(originals / "001-sol-transfer.yml")
    first = resolve_keys(b, random_keys=True).key_map["USER_WALLET_PUBKEY"]
    second = resolve_keys(b, random_keys=True).key_map["USER_WALLET_PUBKEY"]
    assert first != second
    assert resolve_keys(b).key_map == resolve_keys(b).key_map


def test_substitution_is_whole_word() -> None:
    key_map = {"USER_USDC_ATA": "AAA", "USER": "BBB"}
    text = "from USER_USDC_ATA (USER_USDC_ATA_X) to USER."
    assert substitute_placeholders(text, key_map) == "from AAA (USER_USDC_ATA_X) to BBB."
