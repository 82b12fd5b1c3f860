"""The `replay` agent: score agent outputs produced elsewhere, from a predictions file.

JSONL, one line per benchmark:

    {"benchmark_id": "001-sol-transfer", "instructions": [RawInstruction, ...]}
    {"benchmark_id": "200-flow", "steps": [{"instructions": [...]}, {"instructions": [...]}]}

Each step's instructions are executed as one transaction, exactly as written (placeholder
names allowed).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from reev.agents.base import AgentError, AgentHarness, StepTask
from reev.benchmark.model import Benchmark
from reev.inputs import InputFileError, JsonLimitError, JsonLimits, load_json, read_text_file
from reev.results.instruction import RawInstruction


class PredictionsError(Exception):
    """A predictions file that cannot be read; the message names file and line."""


class PredictedStep(BaseModel):
    """The instructions predicted for one step."""

    model_config = ConfigDict(extra="forbid")
    instructions: list[RawInstruction] = Field(default_factory=list)


class Prediction(BaseModel):
    """One line of a predictions file."""

    model_config = ConfigDict(extra="forbid")
    benchmark_id: str
    instructions: list[RawInstruction] | None = None
    steps: list[PredictedStep] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Prediction:
        if (self.instructions is None) == (self.steps is None):
            raise ValueError("a prediction has either `instructions` or `steps`")
        return self

    def step_instructions(self) -> list[list[RawInstruction]]:
        """Instructions per step."""
        if self.steps is not None:
            return [s.instructions for s in self.steps]
        return [self.instructions or []]


MAX_PREDICTIONS_BYTES = 64 * 1_048_576
PREDICTION_LIMITS = JsonLimits(max_bytes=1_048_576)  # one line: one benchmark's prediction


def load_predictions(path: str | Path) -> dict[str, Prediction]:
    """Predictions by benchmark id; PredictionsError with `path:line: ...` on bad input
    (`path:line:column: ...` when the JSON itself is refused there)."""
    p = Path(path)
    try:
        lines = read_text_file(p, MAX_PREDICTIONS_BYTES).splitlines()
    except InputFileError as exc:
        raise PredictionsError(f"{p}: cannot read predictions file: {exc}") from exc
    out: dict[str, Prediction] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            pred = Prediction.model_validate(load_json(line, PREDICTION_LIMITS))
        except JsonLimitError as exc:  # one document per line: its column is the line's
            where = f"{number}:{exc.position[1]}" if exc.position else f"{number}"
            raise PredictionsError(f"{p}:{where}: {exc.reason}") from exc
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"]) or "line"
            raise PredictionsError(f"{p}:{number}: {where}: {first['msg']}") from exc
        if pred.benchmark_id in out:
            raise PredictionsError(f"{p}:{number}: second prediction for {pred.benchmark_id!r}")
        out[pred.benchmark_id] = pred
    return out


class ReplayAgent:
    """Executes the predicted instructions of each step."""

    name = "replay"
    model: str | None = None

    def __init__(self, predictions: dict[str, Prediction], source: str = "") -> None:
        self.predictions = predictions
        self.source = source
        self._current: Prediction | None = None
        self._benchmark_id = ""

    @classmethod
    def from_file(cls, path: str | Path) -> ReplayAgent:
        """A replay agent over a predictions file."""
        return cls(load_predictions(path), str(path))

    def start_episode(self, benchmark: Benchmark) -> None:
        """Pick this benchmark's prediction."""
        self._benchmark_id = benchmark.id
        self._current = self.predictions.get(benchmark.id)

    async def run_step(self, task: StepTask, harness: AgentHarness) -> None:
        """Execute the predicted instructions of this step as one transaction."""
        if self._current is None:
            raise AgentError(f"no prediction for benchmark {self._benchmark_id!r} in {self.source}")
        steps = self._current.step_instructions()
        if task.step > len(steps):
            raise AgentError(
                f"prediction for {self._benchmark_id!r} has {len(steps)} step(s); "
                f"step {task.step} was asked"
            )
        instructions = steps[task.step - 1]
        if instructions:
            record = harness.execute(instructions)
            if record.status == "rejected":
                raise AgentError(f"predicted instructions are invalid: {record.error}")
