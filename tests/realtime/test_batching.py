"""realtime.batching.Batcher: requests of one moment share one call (no sockets, no database)."""

from __future__ import annotations

import asyncio

import pytest

from realtime.batching import Batcher


class Recorder:
    """A `run` that records each call's items and answers item * 10 (after `delay` seconds)."""

    def __init__(self, delay: float = 0.0, fail_on: int | None = None, gate: asyncio.Event | None = None) -> None:
        self.calls: list[list[int]] = []
        self.delay = delay
        self.fail_on = fail_on
        self.gate = gate  # when given, a call runs until it is set (instead of `delay`)

    async def __call__(self, items):
        self.calls.append(list(items))
        if self.gate is not None:
            await self.gate.wait()
        else:
            await asyncio.sleep(self.delay)
        if self.fail_on is not None and self.fail_on in items:
            raise RuntimeError("database went away")
        return [item * 10 for item in items]


async def test_requests_made_together_share_one_call_and_each_gets_its_own_answer():
    run = Recorder()
    batcher = Batcher(run)

    answers = await asyncio.gather(*(batcher(i) for i in range(200)))

    assert answers == [i * 10 for i in range(200)]
    assert run.calls == [list(range(200))]
    assert batcher.calls == 1


async def test_a_lone_request_is_answered_at_once():
    run = Recorder()
    batcher = Batcher(run)

    assert await asyncio.wait_for(batcher(7), timeout=1) == 70
    assert await asyncio.wait_for(batcher(8), timeout=1) == 80
    assert run.calls == [[7], [8]]


async def test_a_request_made_while_a_call_runs_waits_for_the_next_call_not_the_running_one():
    gate = asyncio.Event()  # the first call runs until the test lets it end (not a race against a timer)
    run = Recorder(gate=gate)
    batcher = Batcher(run)

    first = [asyncio.create_task(batcher(i)) for i in range(3)]
    for _ in range(500):  # bounded: until the first call is running
        if run.calls:
            break
        await asyncio.sleep(0.01)
    assert run.calls == [[0, 1, 2]]
    later = [asyncio.create_task(batcher(i)) for i in range(3, 6)]
    await asyncio.sleep(0.05)
    assert run.calls == [[0, 1, 2]]  # one call at a time: the later ones wait
    gate.set()

    assert await asyncio.gather(*first, *later) == [0, 10, 20, 30, 40, 50]
    assert run.calls == [[0, 1, 2], [3, 4, 5]]  # all of them in the next call, together


async def test_batches_are_bounded():
    run = Recorder()
    batcher = Batcher(run, max_batch=64)

    answers = await asyncio.gather(*(batcher(i) for i in range(150)))

    assert answers == [i * 10 for i in range(150)]
    assert [len(items) for items in run.calls] == [64, 64, 22]


async def test_a_failed_call_fails_its_own_requests_only():
    run = Recorder(delay=0.02, fail_on=1)
    batcher = Batcher(run)

    doomed = [asyncio.create_task(batcher(i)) for i in range(3)]
    await asyncio.sleep(0.005)
    fine = asyncio.create_task(batcher(5))
    results = await asyncio.gather(*doomed, return_exceptions=True)

    assert all(isinstance(r, RuntimeError) for r in results)
    assert await fine == 50  # the next call still runs


async def test_a_request_given_up_meanwhile_is_skipped_and_the_others_answered():
    run = Recorder(delay=0.02)
    batcher = Batcher(run)

    tasks = [asyncio.create_task(batcher(i)) for i in range(4)]
    await asyncio.sleep(0.005)
    tasks[1].cancel()  # its socket went away during the read

    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert results[0] == 0 and results[2] == 20 and results[3] == 30
    assert isinstance(results[1], asyncio.CancelledError)


async def test_a_wrong_number_of_results_is_an_error_not_a_mix_up():
    async def short(items):
        return list(items)[:-1]

    batcher = Batcher(short)
    with pytest.raises(RuntimeError, match="got"):
        await asyncio.gather(batcher(1), batcher(2))
