"""The Solana VM side: SolanaEnv, its backends, account layouts and observations.

This part knows nothing about agents or scoring.
"""

from reev.chain.env import SolanaEnv
from reev.results.chain import AccountState, Observation
from reev.results.transaction import TransactionRecord

__all__ = ["AccountState", "Observation", "SolanaEnv", "TransactionRecord"]
