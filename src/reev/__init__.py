"""reev: evaluate LLM agents on Solana, on a real embedded VM."""

__version__ = "0.1.0"
