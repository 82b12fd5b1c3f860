"""Gates: prove every shipped benchmark is solvable, not passed by doing nothing, not gameable.

For each benchmark (and, for parametric ones, each of several seeds), real episodes on
the embedded VM, scored with the `outcome` profile:

* `reference` — the deterministic agent (the file's `reference_solution`) passes with
  score 1.0;
* `null` — the do-nothing agent passes exactly the `refuse` benchmarks (doing nothing is
  their right answer) and fails every other one;
* `junk` — the junk agent (malformed calls, a memo that lands, SOL and tokens sent in
  wrong amounts) fails every non-refuse benchmark, and really landed a transaction while
  doing so: a transaction that merely lands must not pass;
* `negative:<name>` — every `negative_solutions` entry (wrong amount, wrong recipient,
  the harmful action of a refuse task) executes on chain and does not pass; a refuse
  benchmark must declare at least one;
* `cheat:<name>` — the reference solution plus one generated harmful extra
  (`reev.agents.cheats`: drain, skim, wallet reassignment, unlimited approval, owner and
  close-authority hand-over, mint-authority hand-over, one unit of another token) lands
  on chain and does not pass; spending another wallet is refused by the signing policy
  (missing signature) and never lands. A mutation that does not apply (no token account
  to approve, no mint the agent controls) is reported as not applicable;
* `harmless:memo` — the reference plus an unrelated memo still passes with score 1.0.

Plus metadata (a difficulty, a category tag, a reference solution) and suite checks
(enough benchmarks, every category covered, parametric prompts that differ by seed).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from reev.agents.base import Agent
from reev.agents.cheats import CHEATS, HARMLESS, REFUSED_BY_SIGNING_POLICY, CheatAgent
from reev.agents.controls import JunkAgent, NullAgent
from reev.agents.deterministic import BUILTIN_SOLUTIONS, DeterministicAgent
from reev.benchmark.catalog import CATEGORY_ORDER
from reev.benchmark.model import Benchmark
from reev.benchmark.resolve import resolve_keys
from reev.results.records import EpisodeResult
from reev.runner.episode import run_episode
from reev.runner.suite import LoadedBenchmark

CATEGORIES: tuple[str, ...] = CATEGORY_ORDER  # the required tags
DIFFICULTIES: tuple[str, ...] = ("easy", "medium", "hard")
MIN_BENCHMARKS = 110
PARAMETRIC_SEEDS: tuple[int, ...] = (0, 1, 2)
PROMPT_VARIETY_SEEDS: tuple[int, ...] = tuple(range(8))

# reev's originals are kept verbatim (compatibility contract). 003 asks for more USDC
# than the wallet holds and asserts nothing moved: doing nothing is right, as in `refuse`.
NULL_PASS_EXEMPT: dict[str, str] = {
    "003-spl-transfer-fail": "reev's original, kept verbatim: the transfer must fail, so "
    "doing nothing is correct (a refuse task in all but its tag)",
}


@dataclass(frozen=True)
class GateCheck:
    """One verdict: which benchmark (and seed), which gate, whether it holds, and why."""

    benchmark_id: str
    gate: str
    ok: bool
    detail: str = ""
    seed: int | None = None


@dataclass
class GateReport:
    """Every check of a gates run."""

    checks: list[GateCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every check holds."""
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[GateCheck]:
        """The checks that do not hold."""
        return [c for c in self.checks if not c.ok]


def expects_inaction(benchmark: Benchmark) -> bool:
    """True when doing nothing is the right answer (`refuse`, or an exempt original)."""
    return "refuse" in benchmark.tags or benchmark.id in NULL_PASS_EXEMPT


def metadata_checks(benchmark: Benchmark) -> list[GateCheck]:
    """Difficulty, a category tag, and a reference solution."""
    bid = benchmark.id
    out = [
        GateCheck(
            bid,
            "difficulty",
            benchmark.difficulty in DIFFICULTIES,
            f"difficulty {benchmark.difficulty!r}; one of {', '.join(DIFFICULTIES)}",
        ),
        GateCheck(
            bid,
            "category",
            any(t in CATEGORIES for t in benchmark.tags),
            f"tags {benchmark.tags}; at least one of {', '.join(CATEGORIES)}",
        ),
        GateCheck(
            bid,
            "reference-solution",
            benchmark.reference_solution is not None or bid in BUILTIN_SOLUTIONS,
            "a reference_solution the deterministic agent replays",
        ),
    ]
    if "refuse" in benchmark.tags:
        out.append(
            GateCheck(
                bid,
                "refuse-has-harmful-action",
                bool(benchmark.negative_solutions),
                "a refuse benchmark declares the harmful action in negative_solutions",
            )
        )
    return out


def suite_checks(benchmarks: Sequence[Benchmark]) -> list[GateCheck]:
    """Suite size, category coverage, unique ids, and seed-varied parametric prompts."""
    out = [
        GateCheck(
            "*",
            "suite-size",
            len(benchmarks) >= MIN_BENCHMARKS,
            f"{len(benchmarks)} benchmarks; at least {MIN_BENCHMARKS}",
        )
    ]
    tags = Counter(t for b in benchmarks for t in set(b.tags))
    for category in CATEGORIES:
        out.append(
            GateCheck(
                "*", f"category:{category}", tags[category] > 0, f"{tags[category]} benchmark(s)"
            )
        )
    ids = Counter(b.id for b in benchmarks)
    dupes = sorted(i for i, n in ids.items() if n > 1)
    out.append(GateCheck("*", "unique-ids", not dupes, f"duplicate ids: {dupes}" if dupes else ""))
    for b in benchmarks:
        if "parametric" in b.tags or b.is_parametric:
            out.append(_variety(b))
    return out


def _variety(b: Benchmark) -> GateCheck:
    if not b.is_parametric:
        return GateCheck(b.id, "parametric", False, "tagged parametric but declares no parameters")
    try:
        prompts = {b.instantiate(s).prompt for s in PROMPT_VARIETY_SEEDS}
    except ValueError as exc:
        return GateCheck(b.id, "parametric", False, str(exc))
    return GateCheck(
        b.id,
        "parametric",
        len(prompts) > 1,
        f"{len(prompts)} distinct prompts over seeds {PROMPT_VARIETY_SEEDS[0]}..{PROMPT_VARIETY_SEEDS[-1]}",
    )


def _landed(result: EpisodeResult) -> int:
    return sum(1 for s in result.steps for tx in s.transactions if tx.succeeded)


def _why(result: EpisodeResult) -> str:
    if result.error:
        return f"status {result.status}: {result.error}"
    failed = [a for a in result.assertions if not a.passed]
    text = f"score {result.score:.3f}, passed={result.passed}, {_landed(result)} tx landed"
    if failed:
        text += "; failing: " + ", ".join(f"{a.type} {a.pubkey} ({a.detail})" for a in failed[:3])
    return text


async def _run(benchmark: Benchmark, agent: Agent, seed: int) -> EpisodeResult:
    return await run_episode(benchmark, agent, seed=seed, scoring="outcome")


async def episode_checks(benchmark: Benchmark, seed: int = 0) -> list[GateCheck]:
    """The reference, null, junk and negative-solution gates of one benchmark instance."""
    bid = benchmark.id
    out: list[GateCheck] = []

    def check(gate: str, ok: bool, result: EpisodeResult, expect: str) -> None:
        out.append(GateCheck(bid, gate, ok, f"expected {expect}; {_why(result)}", seed))

    ref = await _run(benchmark, DeterministicAgent(), seed)
    check(
        "reference",
        ref.status == "completed" and ref.passed and abs(ref.score - 1.0) < 1e-9,
        ref,
        "pass with score 1.0",
    )
    inaction = expects_inaction(benchmark)
    null = await _run(benchmark, NullAgent(), seed)
    check(
        "null",
        null.status == "completed" and null.passed == inaction,
        null,
        "null to pass (doing nothing is right)" if inaction else "null to fail",
    )
    if not inaction:
        junk = await _run(benchmark, JunkAgent(seed), seed)
        check(
            "junk",
            junk.status == "completed" and not junk.passed and _landed(junk) > 0,
            junk,
            "junk to fail after landing at least one transaction",
        )
    for negative in benchmark.negative_solutions:
        result = await _run(benchmark, DeterministicAgent(negative.steps), seed)
        check(
            f"negative:{negative.name}",
            result.status == "completed" and not result.passed and _landed(result) > 0,
            result,
            "the wrong answer to land on chain and fail",
        )
    out.extend(await cheat_checks(benchmark, seed))
    return out


async def cheat_checks(benchmark: Benchmark, seed: int = 0) -> list[GateCheck]:
    """The generated cheat controls and the harmless control of one benchmark instance."""
    bid = benchmark.id
    agent_pubkeys = resolve_keys(benchmark, seed).agent_pubkeys
    out: list[GateCheck] = []
    for name, mutation in CHEATS.items():
        agent = CheatAgent(name, mutation, agent_pubkeys)
        result = await _run(benchmark, agent, seed)
        gate = f"cheat:{name}"
        if agent.applicable is False:
            out.append(GateCheck(bid, gate, True, "not applicable to this benchmark", seed))
            continue
        cheat = agent.records[-1] if agent.records else None
        if cheat is None:
            out.append(GateCheck(bid, gate, False, f"the cheat never ran; {_why(result)}", seed))
            continue
        if name in REFUSED_BY_SIGNING_POLICY:
            ok = cheat.status == "rejected" and "missing signature" in (cheat.error or "")
            expect = "the signing policy to refuse the transaction (missing signature)"
        elif cheat.status == "failure":
            # The program itself forbids it here (an immutable owner, a memo-required or
            # drained account): the harm cannot happen, so there is nothing to score.
            out.append(GateCheck(bid, gate, True, f"refused by the chain: {cheat.error}", seed))
            continue
        else:
            ok = result.status == "completed" and cheat.succeeded and not result.passed
            expect = "the cheat to land on chain and the episode to fail"
        detail = f"expected {expect}; cheat transaction {cheat.status}"
        detail += f" ({cheat.error})" if cheat.error else ""
        out.append(GateCheck(bid, gate, ok, f"{detail}; {_why(result)}", seed))
    for name, mutation in HARMLESS.items():
        agent = CheatAgent(name, mutation, agent_pubkeys)
        result = await _run(benchmark, agent, seed)
        record = agent.records[-1] if agent.records else None
        if record is not None and record.status == "failure":
            # e.g. the task spends the whole wallet: nothing is left to pay the memo's fee
            detail = f"not applicable: the chain refused the memo ({record.error})"
            out.append(GateCheck(bid, f"harmless:{name}", True, detail, seed))
            continue
        landed = record is not None and record.succeeded
        ok = result.status == "completed" and landed and result.passed and result.score >= 1.0
        out.append(
            GateCheck(
                bid,
                f"harmless:{name}",
                ok,
                f"expected the reference plus an unrelated memo to pass; {_why(result)}",
                seed,
            )
        )
    return out


async def run_gates(
    loaded: Sequence[LoadedBenchmark],
    *,
    parametric_seeds: Iterable[int] = PARAMETRIC_SEEDS,
    suite_level: bool = True,
    on_check: Callable[[GateCheck], None] | None = None,
) -> GateReport:
    """Every gate over the loaded benchmarks (load failures are failed checks)."""
    report = GateReport()

    def add(checks: Iterable[GateCheck]) -> None:
        for c in checks:
            report.checks.append(c)
            if on_check is not None:
                on_check(c)

    benchmarks: list[Benchmark] = []
    for item in loaded:
        if item.benchmark is None:
            add([GateCheck(item.file.stem, "load", False, item.error or "cannot load")])
            continue
        benchmarks.append(item.benchmark)
    seeds = list(parametric_seeds)
    for b in benchmarks:
        add(metadata_checks(b))
        for seed in seeds if b.is_parametric else [0]:
            try:
                instance = b.instantiate(seed)
            except ValueError as exc:
                add([GateCheck(b.id, "instantiate", False, str(exc), seed)])
                continue
            add(await episode_checks(instance, seed))
    if suite_level:
        add(suite_checks(benchmarks))
    return report
