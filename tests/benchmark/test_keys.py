"""Key derivation is stable, documented, seed-dependent, and placeholders resolve everywhere."""

from __future__ import annotations

import random
from pathlib import Path

import base58
import pytest
from solders.pubkey import Pubkey

from reev.benchmark.keys import (
    BASE58_ALPHABET,
    derive_keypair,
    derived_key,
    is_base58_pubkey,
    is_placeholder,
    substitute_placeholders,
)
from reev.benchmark.loader import load_benchmark
from reev.benchmark.resolve import resolve_keys
from reev.programs.ata import associated_token_address


def test_derivation_is_pinned() -> None:
    # Pinned value: changing the derivation would silently change every benchmark's keys.
    assert str(derive_keypair(0, "USER_WALLET_PUBKEY").pubkey()) == (
        "FoQQXrvt276e7MR6xgL8GTxpXoL5eV6U57JcZTQ8q8Ng"
    )


def test_the_remembered_key_is_the_derived_one() -> None:
    """`derived_key` (what episodes use) gives derive_keypair's key and its address, per
    seed and name: a stale or shared entry would sign for the wrong wallet."""
    for seed, name in [(0, "USER_WALLET_PUBKEY"), (1, "USER_WALLET_PUBKEY"), (0, "MINT")]:
        keypair, address = derived_key(seed, name)
        assert keypair == derive_keypair(seed, name)
        assert address == str(derive_keypair(seed, name).pubkey())
    assert derived_key(0, "USER_WALLET_PUBKEY")[1] == "FoQQXrvt276e7MR6xgL8GTxpXoL5eV6U57JcZTQ8q8Ng"
    assert derived_key(1, "USER_WALLET_PUBKEY")[1] != derived_key(0, "USER_WALLET_PUBKEY")[1]


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


def _solders_takes(text: str) -> bool:
    try:
        Pubkey.from_string(text)
    except ValueError:
        return False
    return True


def _candidate_strings(count: int) -> list[str]:
    """Strings near the edge of being a pubkey: encodings of 30–33 bytes with 0–33
    leading zero bytes (one `1` each), with a character added, dropped or replaced;
    alphabet-only strings of 0–50 characters behind runs of `1`; and strings with
    characters outside the alphabet (0, O, I, l, _, space, NUL, non-ASCII, a surrogate)."""
    rng = random.Random(20)
    foreign = "0OIl_ -\x00é\u0661\ud800"
    largest = str(Pubkey.from_bytes(b"\xff" * 32))  # 2**256 - 1, 44 characters
    out = {"", "1" * 31, "1" * 32, "1" * 33, "z" * 43, "z" * 44, "z" * 45, largest}
    while len(out) < count:
        kind = rng.random()
        if kind < 0.4:
            size = rng.choice([30, 31, 32, 32, 32, 33])
            zeros = min(size, rng.choice([0, 0, 0, 1, 2, 31, 32, 33]))
            text = base58.b58encode(bytes(zeros) + rng.randbytes(size - zeros)).decode()
            edit = rng.random()
            if edit < 0.2:
                text = "1" + text
            elif edit < 0.4:
                text = text[1:]
            elif edit < 0.5:
                text += rng.choice(BASE58_ALPHABET)
            elif edit < 0.6 and text:
                i = rng.randrange(len(text))
                text = text[:i] + rng.choice(foreign) + text[i + 1 :]
        elif kind < 0.8:
            ones = "1" * rng.choice([0, 0, 1, 5, 31, 32, 33])
            text = ones + "".join(rng.choices(BASE58_ALPHABET, k=rng.randint(0, 50)))
        else:
            text = "".join(rng.choices(BASE58_ALPHABET + foreign, k=rng.randint(0, 46)))
        out.add(text)
    return sorted(out)


def test_the_pure_base58_check_gives_solders_answer() -> None:
    # is_base58_pubkey is plain Python so that validating a file does not load solders;
    # it must say exactly what Pubkey.from_string says.
    cases = _candidate_strings(60_000)
    taken = [text for text in cases if _solders_takes(text)]
    assert 5_000 < len(taken) < len(cases) - 5_000  # both answers are well represented
    assert [text for text in cases if is_base58_pubkey(text) != _solders_takes(text)] == []


def test_the_base58_check_refuses_what_is_not_text() -> None:
    with pytest.raises(TypeError):
        is_base58_pubkey(b"11111111111111111111111111111111")  # type: ignore[arg-type]


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
