"""reev as an Inspect task package (`pip install 'reev[inspect]'`; docs/inspect.md).

`inspect eval reev/solana --model PROVIDER/MODEL` resolves through the `inspect_ai`
entry point to `reev.bridges.inspect_task._registry`. Importing this package imports
`inspect_ai`; nothing in reev's base package imports it.
"""

from reev.bridges.inspect_task.scorer import reev_scorer
from reev.bridges.inspect_task.solver import reev_solver
from reev.bridges.inspect_task.task import solana

__all__ = ["reev_scorer", "reev_solver", "solana"]
