"""What one episode runs against, passed explicitly from the executor to the episode.

An `EpisodeContext` replaces the context variables that used to carry these (the run's
upstreams, the leasing VM pool, the Jupiter client, the epoch): the executor builds one
per episode and `run_episode` hands each piece to the part that needs it — the backend
factory to `SolanaEnv`, the Jupiter client to the harness (which tools read it from),
the epoch to the agent's `StepTask` (the model-call cache keys on it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from reev.chain.backend import ChainBackend
from reev.runner.upstreams import Upstreams
from reev.tools.jupiter.client import JupiterClient


@dataclass(frozen=True)
class EpisodeContext:
    """The chain backend factory, Jupiter client and epoch of one episode.

    `backend_factory=None` is a fresh embedded LiteSVM; `jupiter=None` is a live client
    at the default Jupiter URL (created by the harness only when a tool needs it).
    """

    epoch: int = 0
    backend_factory: Callable[[], ChainBackend] | None = None
    jupiter: JupiterClient | None = None

    @classmethod
    def of_run(cls, upstreams: Upstreams | None, epoch: int = 0) -> EpisodeContext:
        """The context of an episode of a run with these upstreams (None: embedded, live)."""
        if upstreams is None:
            return cls(epoch=epoch)
        return cls(epoch, upstreams.backend_factory, upstreams.jupiter)

    def with_backend(self, factory: Callable[[], ChainBackend] | None) -> EpisodeContext:
        """This context with another backend factory (e.g. a pool's lease)."""
        return replace(self, backend_factory=factory)
