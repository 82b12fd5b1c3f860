"""Well-known mainnet mints: created on the embedded VM when a benchmark references one
without declaring it, with their real decimals."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownMint:
    """A mainnet mint reev can recreate offline."""

    symbol: str
    decimals: int


KNOWN_MINTS: dict[str, KnownMint] = {
    "So11111111111111111111111111111111111111112": KnownMint("wSOL", 9),
    "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v": KnownMint("USDC", 6),
    "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB": KnownMint("USDT", 6),
    "DezXAZ8z7PnrnRJjz3wXBoRgixCa6xjnB7YaB1pPB263": KnownMint("BONK", 5),
    "JUPyiwrYJFskUPiHa7hkeR8VUtAeFoSYbKedZNsDvCN": KnownMint("JUP", 6),
    "9BEcn9aPEmhSPbPQeFGjidRiEKki46fVQDyPpSQXPA2D": KnownMint("jlUSDC", 6),
    "2uQsyo1fXXQkDtcpXnLofWy88PxcvnfH2L8FPSE62FVU": KnownMint("jlSOL", 9),
    "mSoLzYCxHdYgdzU16g5QSh3i5K3z3KZK7ytfqcJm7So": KnownMint("mSOL", 9),
    "J1toso1uCk3RLmjorhTtrVwY9HJ7X8V9yYac6Y7kGCPn": KnownMint("JitoSOL", 9),
}


def known_mint(address: str) -> KnownMint | None:
    """The registry entry of a mainnet mint address, if reev knows it."""
    return KNOWN_MINTS.get(address)
