"""Running the validator: one uvicorn server on two sockets (the RPC port and, like
solana-test-validator, the websocket port = RPC port + 1; both accept HTTP and ws),
in the foreground for the CLI or in a background thread for tests and benchmarks."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Sequence
from types import TracebackType

import uvicorn

from reev.benchmark.model import Benchmark
from reev.chain.backend import LiteSVMBackend
from reev.chain.env import SolanaEnv
from reev.chain.rpc_server.app import create_app
from reev.chain.rpc_server.chain_state import ChainState
from reev.inputs.hosts import LOOPBACK_HOSTS, server_allowed_hosts


def state_for(benchmark: Benchmark | None = None, seed: int = 0) -> ChainState:
    """A fresh chain, holding `benchmark`'s initial state when given.

    The state is built by `SolanaEnv.reset`, exactly as for an embedded episode, and
    its LiteSVM is then served.
    """
    if benchmark is None:
        return ChainState(LiteSVMBackend().svm)
    env = SolanaEnv(LiteSVMBackend)  # a fresh VM of its own, never a pooled one
    env.reset(benchmark, seed)
    backend = env.backend
    if not isinstance(backend, LiteSVMBackend):  # pragma: no cover - SolanaEnv's default
        raise TypeError("the validator serves a LiteSVM backend")
    return ChainState(backend.svm, env.key_map)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket (port 0: any free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this: without it small responses wait on delayed ACKs.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


def make_server(
    state: ChainState, log_level: str = "warning", allowed_hosts: Sequence[str] | None = None
) -> uvicorn.Server:
    """A uvicorn server for `state` (sockets are given to `serve`), answering to the
    `allowed_hosts` names (default: loopback ones)."""
    config = uvicorn.Config(
        create_app(state, allowed_hosts or LOOPBACK_HOSTS),
        log_level=log_level,
        lifespan="off",
        ws="websockets-sansio",
        access_log=False,
    )
    return uvicorn.Server(config)


def serve_forever(
    state: ChainState,
    sockets: list[socket.socket],
    log_level: str = "warning",
    allowed_hosts: Sequence[str] | None = None,
) -> None:
    """Serve until interrupted (Ctrl-C)."""
    asyncio.run(make_server(state, log_level, allowed_hosts).serve(sockets=sockets))


class RunningValidator:
    """A validator on 127.0.0.1 in a background thread: `with RunningValidator(state) as v:`.
    It answers to the loopback names and `host` (plus `allowed_hosts`)."""

    def __init__(
        self,
        state: ChainState,
        host: str = "127.0.0.1",
        allowed_hosts: Sequence[str] | None = None,
    ) -> None:
        self.state = state
        self._sockets = [bind(host, 0), bind(host, 0)]
        self.port = self._sockets[0].getsockname()[1]
        self.ws_port = self._sockets[1].getsockname()[1]
        self.url = f"http://{host}:{self.port}"
        self.ws_url = f"ws://{host}:{self.ws_port}"
        self._server = make_server(
            state, allowed_hosts=server_allowed_hosts(host, [host, *(allowed_hosts or [])])
        )
        self._thread = threading.Thread(target=self._run, name="reev-validator", daemon=True)

    def _run(self) -> None:
        asyncio.run(self._server.serve(sockets=self._sockets))

    def start(self) -> RunningValidator:
        """Start serving; returns once the sockets accept requests."""
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the validator thread stopped during startup")
            self._thread.join(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(10)
        for sock in self._sockets:
            sock.close()

    def __enter__(self) -> RunningValidator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
