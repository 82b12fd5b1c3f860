"""The bridges' core: an outside driver acting through reev's own pipeline (no extras)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from reev.bridges.driven import DrivenStep, EpisodeFinished, RunFinished, StepChannel
from reev.bridges.selection import select_benchmarks
from reev.results.records import EpisodeResult
from reev.results.spec import EpisodeOptions
from reev.runner.suite import AgentEntry, run_matrix
from reev.store import open_store

BUNDLED = Path(__file__).resolve().parents[2] / "benchmarks"
SEND_0_1 = {
    "user_pubkey": "USER_WALLET_PUBKEY",
    "recipient_pubkey": "RECIPIENT_WALLET_PUBKEY",
    "amount": 100_000_000,
}


def start(channel: StepChannel, ids: str, **options: object) -> None:
    channel.start(
        run_matrix(
            select_benchmarks(str(BUNDLED), ids=ids),
            [AgentEntry("driven", lambda: channel.agent("driven"))],
            on_result=channel.episode_finished,
            **options,  # type: ignore[arg-type]
        )
    )


async def next_step(channel: StepChannel) -> DrivenStep:
    item = await channel.next(timeout=30)
    assert isinstance(item, DrivenStep), item
    return item


async def result_and_end(channel: StepChannel) -> EpisodeResult:
    item = await channel.next(timeout=30)
    assert isinstance(item, EpisodeFinished), item
    end = await channel.next(timeout=30)
    assert end == RunFinished()
    return item.result


def test_a_driver_acts_through_the_harness_and_the_pipeline_scores_it() -> None:
    async def main() -> tuple[dict[str, object], EpisodeResult]:
        channel = StepChannel()
        start(channel, "001-sol-transfer")
        step = await next_step(channel)
        assert step.task.benchmark_id == "001-sol-transfer" and step.task.step == 1
        payload = step.call_tool("sol_transfer", SEND_0_1)
        step.finish("answered", summary="sent")
        return payload, await result_and_end(channel)

    payload, result = asyncio.run(main())
    assert payload["status"] == "ok" and "balances_after" in payload
    assert (result.status, result.score, result.passed) == ("completed", 1.0, True)
    [step] = result.steps
    assert [c.tool for c in step.tool_calls] == ["sol_transfer"]
    assert step.stop_reason == "answered"
    assert step.messages == [{"role": "assistant", "content": "sent"}]


def test_flow_steps_come_one_after_another_each_scored() -> None:
    async def main() -> tuple[list[int], EpisodeResult]:
        channel = StepChannel()
        start(channel, "300-flow-wrap-then-transfer")
        seen = []
        one = await next_step(channel)
        seen.append(one.task.step)
        one.call_tool("wrap_sol", {"user_pubkey": "USER_WALLET_PUBKEY", "amount": 500_000_000})
        one.finish("answered")
        two = await next_step(channel)
        seen.append(two.task.step)
        two.finish("answered")  # does nothing in step 2: the flow fails there
        return seen, await result_and_end(channel)

    seen, result = asyncio.run(main())
    assert seen == [1, 2]
    assert [s.passed for s in result.steps] == [True, False]
    assert result.flow is not None and not result.passed


def test_a_step_past_its_timeout_refuses_late_calls_and_is_recorded() -> None:
    async def main() -> tuple[str, EpisodeResult]:
        channel = StepChannel()
        start(channel, "001-sol-transfer", options=EpisodeOptions(step_timeout=0.2))
        step = await next_step(channel)
        result = await channel.next(timeout=30)  # the pipeline moves on by itself
        assert isinstance(result, EpisodeFinished)
        with pytest.raises(Exception, match="time ran out") as late:
            step.call_tool("sol_transfer", SEND_0_1)
        await channel.close()
        return str(late.value), result.result

    message, result = asyncio.run(main())
    assert "step 1 of 001-sol-transfer has ended" in message
    assert result.status == "error" and result.error == "step 1 timed out after 0.2s"
    assert result.steps[0].tool_calls == []


def test_an_abandoned_driver_is_an_error_and_later_episodes_are_not_run(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "reev.db"))

    async def main() -> EpisodeResult:
        channel = StepChannel()
        start(channel, "001-sol-transfer,002-spl-transfer", store=store, run_id="r1")
        await next_step(channel)
        channel.abandon("the driver went away")
        item = await channel.next(timeout=30)
        assert isinstance(item, EpisodeFinished)
        await asyncio.sleep(0.2)  # the next episode starts, and waits: nobody will drive it
        assert channel.running
        await channel.close()
        return item.result

    result = asyncio.run(main())
    assert result.status == "error" and "the driver went away" in (result.error or "")
    run = store.get_run("r1")
    assert run is not None and run.status == "interrupted"
    assert [d["benchmark_id"] for d in store.iter_results_json("r1")] == ["001-sol-transfer"]
    store.close()
