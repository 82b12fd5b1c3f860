"""Fork mode: LiteSVM filled from a loopback upstream, recorded into a cassette, replayed offline.

The upstream is a fake mainnet RPC (tests/fakes/jupiter_upstream.py) and Jupiter a fake of
its API (tests/fakes/jupiter_api.py); reev's own benchmark 100 runs against them with the
deterministic agent, whose `jupiter_swap` answer needs the lookup table (v0 transaction),
an upgradeable program with its ProgramData, a pool and the USDC mint — all from upstream.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from solders.pubkey import Pubkey

from reev.agents.deterministic import DeterministicAgent
from reev.benchmark.keys import derive_keypair
from reev.benchmark.loader import load_benchmark
from reev.chain.cassette import Cassette, CassetteError
from reev.chain.fork import AccountSource, ForkBackend
from reev.chain.jsonrpc import JsonRpcClient, UpstreamError
from reev.results.records import EpisodeResult
from reev.results.spec import ChainSpec
from reev.runner.context import EpisodeContext
from reev.runner.episode import run_episode
from reev.runner.upstreams import UpstreamConfigError, Upstreams
from tests.fakes.jupiter_api import USDC_PER_SOL, FakeJupiter
from tests.fakes.jupiter_upstream import UPSTREAM_SLOT, UPSTREAM_TIME, USDC, FakeUpstream, world

USER = derive_keypair(0, "USER_WALLET_PUBKEY").pubkey()


@pytest.fixture
def fakes() -> Iterator[tuple[FakeUpstream, FakeJupiter]]:
    w = world(USER)
    upstream = FakeUpstream(w.accounts).start()
    jupiter = FakeJupiter(world=w).start()
    try:
        yield upstream, jupiter
    finally:
        upstream.stop()
        jupiter.stop()


def _run(path: Path, options: ChainSpec, seed: int = 0) -> EpisodeResult:
    upstreams = Upstreams.open(options)
    try:
        return asyncio.run(
            run_episode(
                load_benchmark(path),
                DeterministicAgent(),
                seed=seed,
                context=EpisodeContext.of_run(upstreams),
            )
        )
    finally:
        upstreams.close()


def test_fork_records_a_cassette_and_replays_it_bit_for_bit_offline(
    originals: Path, fakes: tuple[FakeUpstream, FakeJupiter], tmp_path: Path
) -> None:
    upstream, jupiter = fakes
    bench = originals / "100-jup-swap-sol-usdc.yml"
    cassette = tmp_path / "cassettes" / "swap.json"
    recorded = _run(
        bench, ChainSpec(fork_url=upstream.url, cassette=cassette, jupiter_url=jupiter.url)
    )

    assert recorded.status == "completed", recorded.error
    assert recorded.passed and recorded.score == 1.0
    [tx] = recorded.steps[0].transactions
    assert tx.status == "success", tx.error
    usdc_after = recorded.accounts_after["USER_USDC_ATA"].token
    assert usdc_after is not None and usdc_after.amount == 100_000_000 * USDC_PER_SOL // 1000
    # The priority-fee instruction Jupiter sent was left out; everything else executed.
    assert all(
        not (ix.program_id.startswith("ComputeBudget") and ix.data_bytes()[:1] == b"\x03")
        for ix in tx.instructions
    )
    # The fork fetched what the transaction and the setup needed, each account once.
    fetched = upstream.fetched()
    w = jupiter.world
    assert w is not None
    for needed in (w.lookup_table, w.program, w.program_data, w.pool_usdc, USDC):
        assert fetched.count(str(needed)) == 1, needed
    assert [r["path"] for r in jupiter.requests] == ["/swap/v1/quote", "/swap/v1/swap-instructions"]

    data = json.loads(cassette.read_text())
    assert data["format"] == "reev-cassette" and data["version"] == 1
    assert (
        data["clock"]["slot"] == UPSTREAM_SLOT and data["clock"]["unix_timestamp"] == UPSTREAM_TIME
    )
    assert str(w.program_data) in data["accounts"] and str(w.lookup_table) in data["accounts"]
    assert len(data["http"]) == 2
    assert data["upstream"]["rpc"] == upstream.url  # scheme://host:port only

    # The network goes away; the cassette alone reproduces the run exactly.
    upstream.stop()
    jupiter.stop()
    before = len(upstream.requests), len(jupiter.requests)
    replayed = _run(bench, ChainSpec(cassette=cassette))
    assert (len(upstream.requests), len(jupiter.requests)) == before
    assert replayed.status == "completed" and replayed.passed and replayed.score == recorded.score
    assert replayed.steps[0].transactions[0].signature == tx.signature
    assert replayed.steps[0].tool_calls[0].result == recorded.steps[0].tool_calls[0].result
    assert {k: v.model_dump() for k, v in replayed.accounts_after.items()} == {
        k: v.model_dump() for k, v in recorded.accounts_after.items()
    }
    assert cassette.read_text() == json.dumps(data, indent=1) + "\n"  # replay writes nothing


def test_replay_of_an_unrecorded_episode_is_a_recorded_error_naming_the_cassette(
    originals: Path, fakes: tuple[FakeUpstream, FakeJupiter], tmp_path: Path
) -> None:
    upstream, jupiter = fakes
    bench = originals / "100-jup-swap-sol-usdc.yml"
    cassette = tmp_path / "swap.json"
    _run(bench, ChainSpec(fork_url=upstream.url, cassette=cassette, jupiter_url=jupiter.url))
    other_seed = _run(bench, ChainSpec(cassette=cassette), seed=7)  # other keys: never recorded
    assert other_seed.status == "error" and not other_seed.passed
    assert str(cassette) in (other_seed.error or "")


def test_fork_without_jupiter_is_a_recorded_error_naming_the_upstream(
    originals: Path, fakes: tuple[FakeUpstream, FakeJupiter], tmp_path: Path
) -> None:
    upstream, jupiter = fakes
    jupiter.stop()
    result = _run(
        originals / "100-jup-swap-sol-usdc.yml",
        ChainSpec(fork_url=upstream.url, cassette=tmp_path / "c.json", jupiter_url=jupiter.url),
    )
    assert result.status == "error" and not result.passed and result.score == 0.0
    assert "Jupiter API http://127.0.0.1" in (result.error or "")
    assert "unreachable" in (result.error or "")


def test_offline_without_cassette_every_jupiter_benchmark_is_an_error_never_a_pass(
    originals: Path, tmp_path: Path
) -> None:
    closed = FakeJupiter().start()
    url = closed.url
    closed.stop()  # nothing listens there any more: the "no network" case, on loopback
    for path in sorted(originals.glob("1[01]*-jup-*.yml")) + sorted(originals.glob("200-*.yml")):
        result = _run(path, ChainSpec(jupiter_url=url))
        assert result.status == "error", path.name
        assert not result.passed and result.score == 0.0, path.name
        assert "Jupiter API" in (result.error or ""), (path.name, result.error)


def test_fork_source_prefers_the_cassette_and_records_absent_accounts(tmp_path: Path) -> None:
    w = world(USER)
    upstream = FakeUpstream(w.accounts).start()
    try:
        cassette = Cassette(tmp_path / "c.json")
        backend = ForkBackend(AccountSource(JsonRpcClient(upstream.url), cassette))
        missing = Pubkey.new_unique()
        assert backend.get_account(missing) is None
        assert backend.get_account(missing) is None  # asked once only
        assert upstream.fetched().count(str(missing)) == 1
        assert cassette.has_account(missing) and cassette.account(missing) is None
        assert backend.svm.get_clock().unix_timestamp == UPSTREAM_TIME
        cassette.save()
    finally:
        upstream.stop()
    replay = ForkBackend(AccountSource(None, Cassette.load(tmp_path / "c.json")))
    assert replay.get_account(missing) is None
    with pytest.raises(UpstreamError, match="holds no recording"):
        replay.get_account(Pubkey.new_unique())


def test_bad_cassettes_and_option_combinations_are_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something-else"}')
    with pytest.raises(CassetteError, match="not a reev cassette"):
        Cassette.load(bad)
    with pytest.raises(UpstreamConfigError, match="does not exist"):
        Upstreams.open(ChainSpec(cassette=tmp_path / "missing.json"))
    with pytest.raises(UpstreamConfigError, match="needs --rpc-url"):
        Upstreams.open(ChainSpec(backend="rpc"))
    with pytest.raises(UpstreamConfigError, match="embedded backend"):
        Upstreams.open(
            ChainSpec(backend="rpc", rpc_url="http://127.0.0.1:1", fork_url="http://127.0.0.1:2")
        )
    with pytest.raises(UpstreamConfigError, match="--backend rpc"):
        Upstreams.open(ChainSpec(rpc_url="http://127.0.0.1:1"))


def test_cli_records_with_fork_url_and_replays_with_cassette(
    originals: Path, fakes: tuple[FakeUpstream, FakeJupiter], tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from reev.cli.app import app

    upstream, jupiter = fakes
    bench = str(originals / "100-jup-swap-sol-usdc.yml")
    cassette = tmp_path / "cli.json"
    runner = CliRunner()
    common = ["run", bench, "--no-session-files", "-q", "--json"]
    recorded = runner.invoke(
        app,
        [
            *common,
            str(tmp_path / "rec.json"),
            "--fork-url",
            upstream.url,
            "--cassette",
            str(cassette),
            "--jupiter-url",
            jupiter.url,
        ],
    )
    assert recorded.exit_code == 0, recorded.output
    assert "recording into cassette" in " ".join(recorded.output.split()) and cassette.exists()
    upstream.stop()
    jupiter.stop()
    replayed = runner.invoke(
        app, [*common, str(tmp_path / "rep.json"), "--cassette", str(cassette)]
    )
    assert replayed.exit_code == 0, replayed.output
    rec = json.loads((tmp_path / "rec.json").read_text())["results"][0]
    rep = json.loads((tmp_path / "rep.json").read_text())["results"][0]
    assert rec["passed"] and rep["passed"] and rec["score"] == rep["score"] == 1.0
    missing = runner.invoke(
        app, [*common, str(tmp_path / "x.json"), "--cassette", str(tmp_path / "none.json")]
    )
    assert missing.exit_code == 2 and "does not exist" in " ".join(missing.output.split())


def test_fork_from_a_reev_validator_records_and_replays_offline(
    originals: Path, tmp_path: Path
) -> None:
    """The issue's setup: a real `reev validator` loaded with accounts by surfpool's
    `surfnet_setAccount`, plus the loopback Jupiter fake, as the fork's upstream."""
    import httpx

    from reev.chain.rpc_server import RunningValidator, state_for

    w = world(USER)
    jupiter = FakeJupiter(world=w).start()
    bench = originals / "100-jup-swap-sol-usdc.yml"
    cassette = tmp_path / "from-validator.json"
    try:
        with RunningValidator(state_for()) as validator:
            batch = [
                {
                    "jsonrpc": "2.0",
                    "id": n,
                    "method": "surfnet_setAccount",
                    "params": [
                        address,
                        {
                            "lamports": account.lamports,
                            "owner": str(account.owner),
                            "executable": account.executable,
                            "data": bytes(account.data).hex(),
                        },
                    ],
                }
                for n, (address, account) in enumerate(w.accounts.items())
            ]
            answers = httpx.post(validator.url, json=batch, timeout=30).json()
            assert all("error" not in a for a in answers), answers
            recorded = _run(
                bench,
                ChainSpec(fork_url=validator.url, cassette=cassette, jupiter_url=jupiter.url),
            )
    finally:
        jupiter.stop()
    assert recorded.status == "completed", recorded.error
    assert recorded.passed and recorded.score == 1.0
    data = json.loads(cassette.read_text())
    assert str(w.lookup_table) in data["accounts"] and str(w.program_data) in data["accounts"]

    # Validator and Jupiter are gone: the cassette alone reproduces the episode.
    replayed = _run(bench, ChainSpec(cassette=cassette))
    assert replayed.status == "completed" and replayed.score == recorded.score
    [tx] = recorded.steps[0].transactions
    assert replayed.steps[0].transactions[0].signature == tx.signature
    assert {k: v.model_dump() for k, v in replayed.accounts_after.items()} == {
        k: v.model_dump() for k, v in recorded.accounts_after.items()
    }
