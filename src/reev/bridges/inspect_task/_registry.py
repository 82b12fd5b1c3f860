"""The `inspect_ai` entry point: importing it registers `reev/solana` with Inspect."""

from reev.bridges.inspect_task.scorer import reev_scorer
from reev.bridges.inspect_task.solver import reev_solver
from reev.bridges.inspect_task.task import solana

__all__ = ["reev_scorer", "reev_solver", "solana"]
