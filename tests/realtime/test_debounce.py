"""The debounce policy on its own, on a hand-driven clock: instant when quiet, held in a burst, ceiling."""

from __future__ import annotations

from realtime.debounce import Debounce


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def policy(clock: Clock) -> Debounce:
    return Debounce(quiet=0.3, ceiling=2.0, leading=2, clock=clock)


def test_ordinary_changes_go_out_at_once():
    clock = Clock()
    debounce = policy(clock)
    for _ in range(10):  # one change every half second: never a burst
        debounce.arrived()
        assert debounce.plan() is None
        clock.now += 0.5


def test_a_steady_five_per_second_is_not_held():
    clock = Clock()
    debounce = policy(clock)
    for _ in range(20):
        debounce.arrived()
        assert debounce.plan() is None
        clock.now += 0.2  # three arrivals span 0.4 s > quiet


def test_the_leading_changes_of_a_burst_go_out_then_the_rest_is_held_until_quiet():
    clock = Clock()
    debounce = policy(clock)
    debounce.arrived()
    assert debounce.plan() is None
    clock.now += 0.01
    debounce.arrived()
    assert debounce.plan() is None  # two leading frames
    clock.now += 0.01
    debounce.arrived()
    assert debounce.plan() == clock.now + 0.3  # the third within 0.3 s: held for 0.3 s of quiet
    clock.now += 0.1
    debounce.arrived()
    assert debounce.plan() == clock.now + 0.3  # each arrival pushes the send back


def test_a_burst_that_never_stops_is_sent_by_the_ceiling():
    clock = Clock()
    debounce = policy(clock)
    deadlines = []
    for _ in range(3):
        debounce.arrived()
        debounce.plan()
        clock.now += 0.01
    first_held = debounce.first_held
    assert first_held is not None
    for _ in range(100):  # a change every 50 ms for 5 s
        clock.now += 0.05
        debounce.arrived()
        deadlines.append(debounce.plan())
        if clock.now >= deadlines[-1]:
            break
    assert max(deadlines) <= first_held + 2.0  # never past the ceiling
    assert deadlines[-1] == first_held + 2.0


def test_after_the_held_changes_go_out_the_next_hold_starts_afresh():
    clock = Clock()
    debounce = policy(clock)
    for _ in range(3):
        debounce.arrived()
        debounce.plan()
    debounce.release()
    assert debounce.first_held is None
    clock.now += 0.05
    debounce.arrived()
    deadline = debounce.plan()  # still a burst: a new hold, with its own ceiling
    assert deadline == clock.now + 0.3 and debounce.first_held == clock.now
    clock.now += 1.0  # quiet
    debounce.arrived()
    assert debounce.plan() is None and debounce.first_held is None
