"""What a run talks to besides the embedded VM: an RPC node, a fork upstream, Jupiter, a cassette.

A `RunSpec`'s `chain` (`reev.results.spec.ChainSpec`) is what the user chose (`--backend`,
`--rpc-url`, `--fork-url`, `--cassette`, `--jupiter-url`); `Upstreams.open` checks the combination and
builds, once per run, the backend factory every episode's SolanaEnv uses and the Jupiter
client its tools use; the executor hands both to each episode in its `EpisodeContext`.
The cassette is shared by all episodes of the run and written by `close()`.

| options                         | chain                              | Jupiter                     |
|---------------------------------|------------------------------------|-----------------------------|
| (none)                          | embedded LiteSVM                   | live API                    |
| `--backend rpc --rpc-url U`     | RPC node U (surfpool, validator)   | live API                    |
| `--fork-url U [--cassette P]`   | LiteSVM filled from U, recorded    | live API, recorded into P   |
| `--cassette P`                  | LiteSVM filled from P only         | answers from P only         |
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from reev.chain.backend import ChainBackend
from reev.chain.cassette import Cassette, CassetteError
from reev.chain.fork import AccountSource, ForkBackend
from reev.chain.jsonrpc import JsonRpcClient
from reev.chain.rpc_backend import RpcBackend
from reev.results.spec import ChainSpec
from reev.tools.jupiter.client import JupiterClient

BackendName = Literal["litesvm", "rpc"]
BACKENDS: tuple[BackendName, ...] = ("litesvm", "rpc")
DEFAULT_CASSETTE_DIR = Path("cassettes")


class UpstreamConfigError(ValueError):
    """A combination of backend/fork/cassette options that cannot work."""


class Upstreams:
    """The backend factory and Jupiter client of one run, and its cassette."""

    def __init__(
        self,
        backend_factory: Callable[[], ChainBackend] | None,
        jupiter: JupiterClient,
        cassette: Cassette | None = None,
        recording: bool = False,
        closers: tuple[Callable[[], None], ...] = (),
    ) -> None:
        self.backend_factory = backend_factory
        self.jupiter = jupiter
        self.cassette = cassette
        self.recording = recording
        self._closers = closers

    @classmethod
    def open(cls, options: ChainSpec) -> Upstreams:
        """Validate `options` and build the run's upstreams; UpstreamConfigError when invalid."""
        if options.backend not in BACKENDS:
            raise UpstreamConfigError(
                f"--backend must be one of {', '.join(BACKENDS)}, not {options.backend!r}"
            )
        if options.backend == "rpc":
            if not options.rpc_url:
                raise UpstreamConfigError("--backend rpc needs --rpc-url URL")
            if options.fork_url or options.cassette:
                raise UpstreamConfigError(
                    "--fork-url and --cassette work with the embedded backend (--backend "
                    "litesvm); an RPC node such as surfpool forks mainnet by itself"
                )
            rpc_url = options.rpc_url
            jupiter = JupiterClient(options.jupiter_url)
            return cls(lambda: RpcBackend(rpc_url), jupiter, closers=(jupiter.close,))
        if options.rpc_url:
            raise UpstreamConfigError("--rpc-url needs --backend rpc (did you mean --fork-url?)")
        if options.fork_url is None and options.cassette is None:
            return cls(None, JupiterClient(options.jupiter_url))
        if options.fork_url is None:
            assert options.cassette is not None
            try:
                cassette = Cassette.load(options.cassette)
            except CassetteError as exc:
                raise UpstreamConfigError(str(exc)) from exc
            source = AccountSource(None, cassette)
            jupiter = JupiterClient(options.jupiter_url, cassette=cassette, replay_only=True)
            return cls(lambda: ForkBackend(source), jupiter, cassette, recording=False)
        path = options.cassette or default_cassette_path()
        try:
            cassette = Cassette.open(path)
        except CassetteError as exc:
            raise UpstreamConfigError(str(exc)) from exc
        upstream = JsonRpcClient(options.fork_url)
        source = AccountSource(upstream, cassette)
        jupiter = JupiterClient(options.jupiter_url, cassette=cassette)
        return cls(
            lambda: ForkBackend(source),
            jupiter,
            cassette,
            recording=True,
            closers=(upstream.close, jupiter.close),
        )

    def describe(self) -> str:
        """One line for the CLI: where the chain and Jupiter answers come from."""
        if self.cassette is None:
            return f"Jupiter API {self.jupiter.origin}"
        mode = "recording into" if self.recording else "replaying"
        return f"{mode} cassette {self.cassette.path}"

    def close(self) -> None:
        """Write a recording cassette (when anything new was fetched) and close clients."""
        try:
            if self.recording and self.cassette is not None and self.cassette.dirty:
                self.cassette.save()
        finally:
            for close in self._closers:
                close()


def default_cassette_path() -> Path:
    """`cassettes/fork-<UTC time>.json`: where `--fork-url` records without `--cassette`."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return DEFAULT_CASSETTE_DIR / f"fork-{stamp}.json"


__all__ = [
    "BACKENDS",
    "UpstreamConfigError",
    "Upstreams",
    "default_cassette_path",
]
