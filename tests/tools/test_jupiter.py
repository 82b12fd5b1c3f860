"""Each Jupiter tool against a loopback fake of Jupiter's API: requests, answers, errors.

The tools run with a real SolanaEnv (embedded LiteSVM) as their ToolContext for balance
checks; instructions are inspected, not executed (execution is covered by
tests/chain/test_fork.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from reev.benchmark.loader import load_benchmark
from reev.chain.cassette import Cassette
from reev.chain.env import SolanaEnv
from reev.programs.ids import NATIVE_MINT, TOKEN_PROGRAM
from reev.runner.harness import EpisodeHarness
from reev.tools import ToolError, get_tool
from reev.tools.jupiter import JupiterClient
from tests.fakes.jupiter_api import JL_USDC, FakeJupiter
from tests.fakes.jupiter_upstream import world

USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"
WSOL = str(NATIVE_MINT)


@pytest.fixture
def env(originals: Path) -> SolanaEnv:
    env = SolanaEnv()
    env.reset(load_benchmark(originals / "111-jup-lend-deposit-usdc.yml"))  # 0.1 SOL, 100 USDC
    return env


@pytest.fixture
def fake(env: SolanaEnv) -> Iterator[FakeJupiter]:
    from solders.pubkey import Pubkey

    jup = FakeJupiter(world=world(Pubkey.from_string(env.key_map["USER_WALLET_PUBKEY"]))).start()
    try:
        with use_jupiter(JupiterClient(jup.url)):
            yield jup
    finally:
        jup.stop()


_CLIENTS: list[JupiterClient] = []


@contextmanager
def use_jupiter(client: JupiterClient) -> Iterator[None]:
    """Tool calls in this block go through `client` (the harness hands it to the tools)."""
    _CLIENTS.append(client)
    try:
        yield
    finally:
        _CLIENTS.pop()


def call(env: SolanaEnv, tool: str, **args: Any) -> Any:
    return get_tool(tool).invoke(args, EpisodeHarness(env, _CLIENTS[-1] if _CLIENTS else None))


def test_swap_calls_quote_then_swap_instructions_and_keeps_lookup_tables(
    env: SolanaEnv, fake: FakeJupiter
) -> None:
    out = call(
        env,
        "jupiter_swap",
        user_pubkey="USER_WALLET_PUBKEY",
        input_mint=WSOL,
        output_mint=USDC,
        amount=50_000_000,
        slippage_bps=800,
    )
    quote, swap = fake.requests
    assert (quote["method"], quote["path"]) == ("GET", "/swap/v1/quote")
    assert quote["query"] == {
        "inputMint": WSOL,
        "outputMint": USDC,
        "amount": "50000000",
        "slippageBps": "800",
    }
    assert (swap["method"], swap["path"]) == ("POST", "/swap/v1/swap-instructions")
    assert swap["body"]["userPublicKey"] == env.key_map["USER_WALLET_PUBKEY"]
    assert swap["body"]["quoteResponse"]["outAmount"] == out.data["out_amount"] == "9000000"
    assert fake.world is not None
    assert out.lookup_tables == [str(fake.world.lookup_table)]
    # limit kept, price (priority fee) dropped; setup, swap, cleanup, other in order
    programs = [ix.program_id for ix in out.instructions]
    assert programs[0].startswith("ComputeBudget") and out.instructions[0].data_bytes()[0] == 2
    assert programs.count("ComputeBudget111111111111111111111111111111") == 1
    assert programs[-1] == str(fake.world.program)
    assert out.data["route"] == ["FakeAMM"]
    # without the lookup table this transaction does not fit in a legacy message
    legacy = env.execute(out.instructions)
    assert legacy.status == "rejected" and "too large" in (legacy.error or "")


def test_swap_refuses_what_the_wallet_does_not_hold_before_calling_jupiter(
    env: SolanaEnv, fake: FakeJupiter
) -> None:
    with pytest.raises(ToolError, match="insufficient funds"):
        call(
            env,
            "jupiter_swap",
            user_pubkey="USER_WALLET_PUBKEY",
            input_mint=WSOL,
            output_mint=USDC,
            amount=5_000_000_000,
        )
    with pytest.raises(ToolError, match="same mint"):
        call(
            env,
            "jupiter_swap",
            user_pubkey="USER_WALLET_PUBKEY",
            input_mint=USDC,
            output_mint=USDC,
            amount=1,
        )
    with pytest.raises(ToolError, match="slippage_bps"):
        call(
            env,
            "jupiter_swap",
            user_pubkey="USER_WALLET_PUBKEY",
            input_mint=WSOL,
            output_mint=USDC,
            amount=1,
            slippage_bps=5000,
        )
    assert fake.requests == []


@pytest.mark.parametrize(
    ("path", "status", "body", "message"),
    [
        (
            "/swap/v1/quote",
            400,
            {"error": "Could not find any route", "errorCode": "COULD_NOT_FIND_ANY_ROUTE"},
            "HTTP 400.*Could not find any route",
        ),
        ("/swap/v1/swap-instructions", 500, {"error": "internal"}, "HTTP 500"),
        ("/swap/v1/quote", 200, None, "non-JSON"),
        ("/swap/v1/swap-instructions", 200, {"nothing": True}, "no swapInstruction"),
    ],
)
def test_swap_upstream_failures_are_tool_errors_never_instructions(
    env: SolanaEnv, fake: FakeJupiter, path: str, status: int, body: Any, message: str
) -> None:
    fake.fail[path] = (status, body)
    with pytest.raises(ToolError, match=message):
        call(
            env,
            "jupiter_swap",
            user_pubkey="USER_WALLET_PUBKEY",
            input_mint=WSOL,
            output_mint=USDC,
            amount=1_000_000,
        )


def test_lend_deposit_and_withdraw_post_reevs_bodies(env: SolanaEnv, fake: FakeJupiter) -> None:
    user = env.key_map["USER_WALLET_PUBKEY"]
    out = call(
        env,
        "jupiter_lend_earn_deposit",
        user_pubkey="USER_WALLET_PUBKEY",
        asset_mint=USDC,
        amount=50_000_000,
    )
    assert fake.requests[-1]["path"] == "/lend/v1/earn/deposit-instructions"
    assert fake.requests[-1]["body"] == {
        "asset": USDC,
        "signer": user,
        "amount": "50000000",
        "cluster": "mainnet",
    }
    assert [ix.program_id for ix in out.instructions] == [
        "jup3YeL8QhtSx1e253b2FDvsMNC87fDrgQZivbrndc9"
    ]
    assert (
        out.instructions[0].accounts[0].pubkey == user and out.instructions[0].accounts[0].is_signer
    )
    with pytest.raises(ToolError, match="insufficient funds"):
        call(
            env,
            "jupiter_lend_earn_deposit",
            user_pubkey="USER_WALLET_PUBKEY",
            asset_mint=USDC,
            amount=500_000_000,
        )
    out = call(
        env,
        "jupiter_lend_earn_withdraw",
        user_pubkey="USER_WALLET_PUBKEY",
        asset_mint=USDC,
        amount=50_000_000,
    )
    assert fake.requests[-1]["path"] == "/lend/v1/earn/withdraw-instructions"
    assert len(out.instructions) == 1


def test_sol_deposit_wraps_and_sol_withdraw_unwraps(env: SolanaEnv, fake: FakeJupiter) -> None:
    out = call(
        env,
        "jupiter_lend_earn_deposit",
        user_pubkey="USER_WALLET_PUBKEY",
        asset_mint=WSOL,
        amount=50_000_000,
    )
    programs = [ix.program_id for ix in out.instructions]
    assert programs[:3] == [
        "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL",
        "11111111111111111111111111111111",
        str(TOKEN_PROGRAM),
    ]
    assert out.instructions[2].data_bytes() == bytes([17])  # SyncNative
    out = call(
        env,
        "jupiter_lend_earn_withdraw",
        user_pubkey="USER_WALLET_PUBKEY",
        asset_mint=WSOL,
        amount=50_000_000,
    )
    assert out.instructions[-1].program_id == str(TOKEN_PROGRAM)
    assert out.instructions[-1].data_bytes() == bytes([9])  # CloseAccount


def test_mint_and_redeem_call_their_own_endpoints_with_shares(
    env: SolanaEnv, fake: FakeJupiter
) -> None:
    user = env.key_map["USER_WALLET_PUBKEY"]
    call(env, "jupiter_lend_earn_mint", asset=USDC, signer="USER_WALLET_PUBKEY", shares="40000000")
    assert fake.requests[-1]["path"] == "/lend/v1/earn/mint-instructions"
    assert fake.requests[-1]["body"] == {
        "asset": USDC,
        "signer": user,
        "shares": "40000000",
        "cluster": "mainnet",
    }
    call(env, "jupiter_lend_earn_redeem", asset=USDC, signer=user, shares=7)
    assert fake.requests[-1]["path"] == "/lend/v1/earn/redeem-instructions"
    with pytest.raises(ToolError, match="shares"):
        call(env, "jupiter_lend_earn_redeem", asset=USDC, signer=user, shares="40000000<!--")
    fake.fail["/lend/v1/earn/redeem-instructions"] = (200, {"instructions": []})
    with pytest.raises(ToolError, match="no instructions"):
        call(env, "jupiter_lend_earn_redeem", asset=USDC, signer=user, shares=7)
    fake.fail["/lend/v1/earn/redeem-instructions"] = (200, {"instructions": [{"programId": "x"}]})
    with pytest.raises(ToolError, match="malformed"):
        call(env, "jupiter_lend_earn_redeem", asset=USDC, signer=user, shares=7)


def test_jupiter_earn_summarises_real_answers_and_empty_ones(
    env: SolanaEnv, fake: FakeJupiter
) -> None:
    from tests.fakes.jupiter_api import TOKENS

    user = env.key_map["USER_WALLET_PUBKEY"]
    out = call(env, "jupiter_earn", user_pubkey="USER_WALLET_PUBKEY", operation="both")
    assert [r["path"] for r in fake.requests] == [
        "/lend/v1/earn/positions",
        "/lend/v1/earn/earnings",
    ]
    assert fake.requests[0]["query"] == {"users": user} and fake.requests[1]["query"] == {
        "user": user
    }
    data = out.data["result"]["data"]
    assert data["positions"]["total_positions"] == 0 and data["positions"]["summary"] == []
    assert data["earnings"]["summary"]["total_earnings"] == {"raw": "0", "decimal": 0.0}
    assert out.instructions == []

    fake.positions = [
        {
            "token": TOKENS[0],
            "ownerAddress": user,
            "shares": "48000000",
            "underlyingAssets": "50000000",
            "underlyingBalance": "50000000",
            "allowance": "0",
        }
    ]
    fake.earnings = [
        {
            "address": JL_USDC,
            "ownerAddress": user,
            "totalDeposits": "50000000",
            "totalWithdraws": "0",
            "totalBalance": "50120000",
            "totalAssets": "50120000",
            "earnings": "120000",
            "slot": 250000000,
        }
    ]
    out = call(env, "jupiter_earn", user_pubkey=user, operation="both", position_address=JL_USDC)
    assert fake.requests[-1]["query"] == {"user": user, "positions": JL_USDC}
    position = out.data["result"]["data"]["positions"]["summary"][0]
    assert position["token"]["symbol"] == "jlUSDC"
    assert position["rates"]["supply_rate_pct"] == pytest.approx(8.68)
    assert position["position"]["underlying_balance_decimal"] == pytest.approx(50.0)
    earnings = out.data["result"]["data"]["earnings"]
    assert earnings["summary"]["total_earnings"]["raw"] == "120000"
    assert earnings["positions"][0]["position_address"] == JL_USDC
    only = call(env, "jupiter_earn", user_pubkey=user, operation="positions")
    assert only.data["result"]["data"]["total_positions"] == 1


def test_get_lend_earn_tokens_filters_and_reports_no_match(
    env: SolanaEnv, fake: FakeJupiter
) -> None:
    out = call(env, "get_lend_earn_tokens", symbol="usdc")
    assert [t["symbol"] for t in out.data["tokens"]] == ["jlUSDC"]
    assert out.data["tokens"][0]["supply_rate_pct"] == pytest.approx(8.68)
    out = call(env, "get_lend_earn_tokens", mint_address=USDC)
    assert out.data["total_tokens"] == 1
    assert call(env, "get_lend_earn_tokens").data["total_tokens"] == 2
    with pytest.raises(ToolError, match="no Jupiter Lend token matches"):
        call(env, "get_lend_earn_tokens", symbol="DOGE")
    fake.fail["/lend/v1/earn/tokens"] = (503, {"error": "maintenance"})
    with pytest.raises(ToolError, match=r"HTTP 503.*maintenance"):
        call(env, "get_lend_earn_tokens")


def test_unreachable_api_names_the_upstream(env: SolanaEnv) -> None:
    gone = FakeJupiter().start()
    url = gone.url
    gone.stop()
    with (
        use_jupiter(JupiterClient(url)),
        pytest.raises(ToolError, match=r"Jupiter API http://127\.0\.0\.1:\d+ unreachable"),
    ):
        call(env, "get_lend_earn_tokens")


def test_cassette_records_answers_and_replays_them_without_network(
    env: SolanaEnv, tmp_path: Path
) -> None:
    jup = FakeJupiter().start()
    cassette = Cassette(tmp_path / "c.json")
    with use_jupiter(JupiterClient(jup.url, cassette=cassette)):
        live = call(env, "get_lend_earn_tokens", symbol="USDT")
        call(env, "get_lend_earn_tokens", symbol="USDT")  # answered from the cassette
    jup.stop()
    assert len(jup.requests) == 1 and cassette.exchange_count == 1
    cassette.save()
    replay = Cassette.load(tmp_path / "c.json")
    with use_jupiter(JupiterClient("http://127.0.0.1:9", cassette=replay, replay_only=True)):
        assert call(env, "get_lend_earn_tokens", symbol="USDT").data == live.data
        with pytest.raises(ToolError, match="holds no recorded answer"):
            call(env, "jupiter_earn", user_pubkey="USER_WALLET_PUBKEY")
