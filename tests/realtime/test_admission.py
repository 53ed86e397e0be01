"""Admission control: a saturated process says "retry after N ms" at once, and the delay spreads the herd."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from realtime import admission as admission_module
from realtime.admission import (
    CLOSE_RETRY_AFTER,
    AcceptPause,
    Admission,
    Ticket,
    parse_retry_after,
    retry_after_reason,
)
from tests.realtime.conftest import household_cookie, open_socket, run, version_of


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_handshakes_are_admitted_up_to_the_limit_then_told_when_to_come_back():
    gate = Admission(limit=3, clock=Clock(), min_rate=100)
    tickets = [gate.enter() for _ in range(3)]

    refused = gate.enter()

    assert all(isinstance(t, Ticket) for t in tickets) and gate.in_flight == 3
    assert isinstance(refused, int) and refused >= gate.min_delay_ms
    tickets[0].release(True)
    tickets[0].release(True)  # twice is once
    assert gate.in_flight == 2 and isinstance(gate.enter(), Ticket)


def test_the_delay_grows_with_the_backlog_and_spreads_the_herd_at_the_rate_handshakes_finish():
    clock = Clock()
    gate = Admission(limit=10, clock=clock, min_rate=100, min_delay_ms=0, max_delay_ms=60_000)
    for _ in range(10):
        gate.enter()

    delays = [gate.enter() for _ in range(1000)]

    assert delays == sorted(delays) and delays[0] < delays[-1]
    assert delays[0] == pytest.approx(100, abs=1)  # the 10 in flight take 10 / 100 per s
    # 1,000 clients told to come back 10 ms apart (100/s): spread over ten seconds, not a wave.
    assert delays[-1] == pytest.approx(100 + 999 * 10, abs=5)
    assert len(set(d // 100 for d in delays)) >= 95  # every 100 ms window gets its share


def test_a_faster_process_hands_out_shorter_delays():
    clock = Clock()
    gate = Admission(limit=4, clock=clock, min_rate=10, min_delay_ms=0, window=1.0)
    for _ in range(400):  # 400 handshakes finished within the last second
        gate.enter().release(True)
        clock.now += 0.0025
    for _ in range(4):
        gate.enter()

    assert gate.rate() == pytest.approx(400, rel=0.01)
    assert gate.enter() == pytest.approx(10, abs=1)  # 4 in flight / 400 per s
    clock.now += 60  # long quiet: back to the floor rate, and the queue has drained
    assert gate.rate() == 10


def test_delays_are_capped_and_abandoned_handshakes_do_not_count_as_throughput():
    clock = Clock()
    gate = Admission(limit=1, clock=clock, min_rate=1, max_delay_ms=5_000)
    gate.enter().release(False)
    assert gate.rate() == 1 and gate.in_flight == 0
    gate.enter()
    assert max(gate.enter() for _ in range(100)) == 5_000


def test_a_process_that_finishes_handshakes_fast_admits_more_of_the_herd_at_once():
    clock = Clock()
    gate = Admission(limit=10, clock=clock, min_rate=100, admit_within=2.0, max_limit=1000, window=1.0)
    assert gate.current_limit() == 200  # the floor rate (100/s) finishes 200 within 2 s

    tickets = [gate.enter() for _ in range(200)]
    assert all(isinstance(t, Ticket) for t in tickets) and isinstance(gate.enter(), int)

    for ticket in tickets:  # all 200 finish within half a second: 400/s, measured over the young spell
        ticket.release(True)
        clock.now += 0.0025
    assert gate.rate() == pytest.approx(400, rel=0.02)
    assert gate.current_limit() == pytest.approx(800, abs=10)
    for _ in range(5000):
        gate.enter()
    assert gate.in_flight == 800
    capped = Admission(limit=10, clock=clock, min_rate=100, admit_within=2.0, max_limit=150)
    assert capped.current_limit() == 150  # however fast it looks
    assert Admission(limit=7, clock=clock).current_limit() == 7  # without admit_within the limit is fixed


def test_a_restarted_process_measures_its_pace_within_the_first_second():
    clock = Clock()
    gate = Admission(limit=1000, clock=clock, min_rate=50, window=2.0)
    clock.now += 30  # idle since it started
    for _ in range(150):  # then a herd: 150 finished in the first 0.3 s of the spell
        gate.enter().release(True)
        clock.now += 0.002
    # Over the 0.3 s spell (not the 2 s window, which would say 75/s).
    assert gate.rate() == pytest.approx(500, rel=0.02)


class Port:
    """A listening port as Twisted has it: reading (accepting) or not."""

    def __init__(self) -> None:
        self.reading = True
        self.stops = 0

    def stopReading(self) -> None:  # noqa: N802 - Twisted's name
        self.reading = False
        self.stops += 1

    def startReading(self) -> None:  # noqa: N802 - Twisted's name
        self.reading = True


class Timers:
    def __init__(self) -> None:
        self.pending: list = []

    def __call__(self, delay, callback):
        handle = SimpleNamespace(delay=delay, callback=callback, cancelled=False)
        handle.cancel = lambda: setattr(handle, "cancelled", True)
        self.pending.append(handle)
        return handle


def test_a_full_process_stops_accepting_until_a_quarter_of_its_slots_are_free():
    gate = Admission(limit=8, clock=Clock(), min_rate=1)
    timers, port = Timers(), Port()
    accepts = AcceptPause(call_later=timers)
    gate.on_room = accepts.resume
    tickets = [gate.enter() for _ in range(8)]
    assert gate.full() and not gate.roomy()

    accepts.pause(port)
    accepts.pause(port)  # already paused: once
    assert not port.reading and port.stops == 1 and accepts.pauses == 1

    tickets[0].release(True)  # 7 of 8 in flight: not yet
    tickets[1].release(False)  # 6 of 8: not yet (a quarter free means fewer than 6)
    assert not port.reading
    tickets[2].release(True)  # 5 of 8: accepting again, and the safety timer is cancelled
    assert port.reading and accepts.paused == set() and timers.pending[0].cancelled


def test_a_pause_never_lasts_longer_than_its_maximum_and_nothing_to_pause_is_fine():
    timers, port = Timers(), Port()
    accepts = AcceptPause(call_later=timers, pause_max=0.5)
    accepts.pause(port)
    [timer] = timers.pending
    assert timer.delay == 0.5
    timer.callback()  # the handshakes in flight hang: accepting resumes anyway
    assert port.reading
    accepts.pause(None)  # not daphne over TCP: nothing to pause
    assert accepts.paused == set()


def test_only_a_daphne_connection_has_a_listening_port_to_pause():
    from realtime.transport import listening_port

    async def send(message):
        return None

    assert listening_port(send) is None


def test_the_reason_carries_the_delay_and_only_a_well_formed_one_is_read():
    assert parse_retry_after(retry_after_reason(1234)) == 1234
    for junk in (None, "", "retry-after=", "retry-after=-5", "retry-after=soon", "going away"):
        assert parse_retry_after(junk) is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("live_settings", "fresh_hub")
async def test_a_saturated_process_answers_the_retry_after_close_at_once(monkeypatch, wedding, household):
    saturated = Admission(limit=0, min_rate=100)
    monkeypatch.setattr(admission_module, "_admission", saturated)
    cookie = await run(lambda: household_cookie(household))

    started = asyncio.get_running_loop().time()
    socket, _ = await open_socket(cookie, wedding.pk, hello=False)
    frame = await socket.receive_json_from(timeout=2)
    close = await socket.receive_output(timeout=2)

    assert asyncio.get_running_loop().time() - started < 1  # no waiting for a handshake timeout
    assert frame == {"t": "retry", "ms": frame["ms"]} and frame["ms"] >= 200
    assert close["type"] == "websocket.close" and close["code"] == CLOSE_RETRY_AFTER
    assert parse_retry_after(close["reason"]) == frame["ms"]

    # Once there is room the same client gets in and is welcomed; its slot is given back.
    room = Admission(limit=1)
    monkeypatch.setattr(admission_module, "_admission", room)
    socket, welcome = await open_socket(cookie, wedding.pk, version=await version_of(wedding))
    assert welcome["t"] == "welcome" and room.in_flight == 0 and room.rate() >= room.min_rate
    await socket.disconnect()
