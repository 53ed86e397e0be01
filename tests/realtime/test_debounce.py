"""The debounce policy on its own, on a hand-driven clock: instant when quiet, held in a burst, ceiling,
and bursts judged per region."""

from __future__ import annotations

from realtime.debounce import Debounce

GALLERY, SONGS = "live-photo_gallery", "live-song_queue"


class Socket:
    """What the hub does for one socket watching `regions`: arrivals, then send now or a deadline."""

    def __init__(self) -> None:
        self.now = 100.0
        self.policy = Debounce(quiet=0.3, ceiling=2.0, leading=2)
        self.held_since: float | None = None

    def change(self, *regions: str) -> float | None:
        """A change to these regions arrives now: None (sent now) or when the held changes go out."""
        self.policy.arrived(regions or (GALLERY,), self.now)
        return self.plan(regions or (GALLERY,))

    def plan(self, regions) -> float | None:
        if self.policy.send_now(regions, self.now):
            self.held_since = None
            return None
        if self.held_since is None:
            self.held_since = self.now
        return self.policy.deadline(self.held_since, self.now)


def test_ordinary_changes_go_out_at_once():
    socket = Socket()
    for _ in range(10):  # one change every half second: never a burst
        assert socket.change() is None
        socket.now += 0.5


def test_a_steady_five_per_second_is_not_held():
    socket = Socket()
    for _ in range(20):
        assert socket.change() is None
        socket.now += 0.2  # three arrivals span 0.4 s > quiet


def test_the_leading_changes_of_a_burst_go_out_then_the_rest_is_held_until_quiet():
    socket = Socket()
    assert socket.change() is None
    socket.now += 0.01
    assert socket.change() is None  # two leading frames
    socket.now += 0.01
    assert socket.change() == socket.now + 0.3  # the third within 0.3 s: held for 0.3 s of quiet
    socket.now += 0.1
    assert socket.change() == socket.now + 0.3  # each arrival pushes the send back


def test_a_burst_that_never_stops_is_sent_by_the_ceiling():
    socket = Socket()
    deadlines = []
    for _ in range(3):
        socket.change()
        socket.now += 0.01
    first_held = socket.held_since
    assert first_held is not None
    for _ in range(100):  # a change every 50 ms for 5 s
        socket.now += 0.05
        deadlines.append(socket.change())
        if socket.now >= deadlines[-1]:
            break
    assert max(deadlines) <= first_held + 2.0  # never past the ceiling
    assert deadlines[-1] == first_held + 2.0


def test_after_the_held_changes_go_out_the_next_hold_starts_afresh():
    socket = Socket()
    for _ in range(3):
        socket.change()
    socket.held_since = None  # the hub sent the held changes
    socket.now += 0.05
    deadline = socket.change()  # still a burst: a new hold, with its own ceiling
    assert deadline == socket.now + 0.3 and socket.held_since == socket.now
    socket.now += 1.0  # quiet
    assert socket.change() is None and socket.held_since is None


def test_a_change_to_a_calm_region_is_not_held_by_another_regions_burst():
    """A song vote while the gallery fills with a photo flood goes out at once (the hub sends
    the gallery's held changes with it); the gallery's next change is held again."""
    socket = Socket()
    for _ in range(5):  # the gallery: a change every 20 ms
        socket.change(GALLERY)
        socket.now += 0.02
    assert socket.policy.bursting(GALLERY, socket.now) and socket.held_since is not None
    assert not socket.policy.bursting(SONGS, socket.now)
    assert socket.change(SONGS) is None  # the vote: sent now
    socket.now += 0.02
    assert socket.change(GALLERY) == socket.now + 0.3  # the gallery's burst goes on: held
    assert socket.change(GALLERY, SONGS) is None  # a change to both: the song queue is calm


def test_a_region_is_in_a_burst_by_its_own_changes_only():
    socket = Socket()
    for _ in range(3):
        socket.policy.arrived((SONGS,), socket.now)
    assert socket.policy.bursting(SONGS, socket.now) and not socket.policy.bursting(GALLERY, socket.now)
    socket.policy.arrived((GALLERY,), socket.now)
    assert socket.plan((SONGS, GALLERY)) is None  # the gallery's first change: calm
    for _ in range(2):
        socket.policy.arrived((GALLERY,), socket.now)
    assert socket.plan((SONGS, GALLERY)) == socket.now + 0.3  # both in a burst: held
    socket.now += 0.5
    assert not socket.policy.bursting(SONGS, socket.now) and not socket.policy.bursting(GALLERY, socket.now)


def test_every_region_at_once_a_resync_is_never_held():
    socket = Socket()
    for _ in range(5):
        socket.change(GALLERY)
    assert socket.plan(None) is None
