"""The version ledger on its own: duplicates, gaps, overflow and the audit, without sockets or asyncio."""

from __future__ import annotations

from realtime.ledger import Arrival, VersionLedger


def ledger_at(version: int, *, window: int = 2000) -> VersionLedger:
    ledger = VersionLedger(window=window)
    ledger.note_current(version, first=True)
    return ledger


def test_versions_in_order_are_delivered_and_repeats_are_duplicates():
    ledger = ledger_at(10)
    assert [ledger.arrive(v) for v in (11, 12, 12, 10, 3)] == [
        Arrival.IN_ORDER, Arrival.IN_ORDER, Arrival.DUPLICATE, Arrival.DUPLICATE, Arrival.DUPLICATE,
    ]
    assert ledger.contiguous == 12 and ledger.latest == 12 and ledger.open_gap() is None


def test_a_reordered_pair_opens_a_gap_that_the_late_one_closes():
    ledger = ledger_at(10)
    assert ledger.arrive(12) is Arrival.GAP  # 11 is missing
    assert ledger.open_gap() == 12 and ledger.missed(12)
    assert ledger.arrive(12) is Arrival.DUPLICATE
    assert ledger.arrive(11) is Arrival.IN_ORDER
    assert ledger.contiguous == 12 and not ledger.missed(12) and ledger.open_gap() is None


def test_a_version_that_never_comes_is_missed_and_a_resync_covers_it():
    ledger = ledger_at(5)
    ledger.arrive(7)
    ledger.arrive(8)
    assert ledger.missed(8)  # the grace ran out and 6 never came
    ledger.resynced()
    assert ledger.contiguous == 8 and ledger.open_gap() is None
    assert ledger.arrive(8) is Arrival.DUPLICATE and ledger.arrive(9) is Arrival.IN_ORDER


def test_too_many_versions_above_a_gap_overflow():
    ledger = ledger_at(0, window=3)
    assert [ledger.arrive(v) for v in (2, 3, 4)] == [Arrival.GAP] * 3
    assert ledger.arrive(5) is Arrival.OVERFLOW
    ledger.resynced()
    assert ledger.contiguous == 5 and not ledger.seen


def test_the_first_socket_takes_the_current_version_as_seen_later_ones_do_not():
    ledger = VersionLedger()
    ledger.note_current(20, first=True)
    assert ledger.contiguous == 20
    ledger.note_current(23, first=False)  # a second socket read a newer version: 21..23 may be in flight
    assert ledger.contiguous == 20 and ledger.latest == 23
    assert ledger.arrive(21) is Arrival.IN_ORDER


def test_the_audit_resyncs_a_lost_last_message_one_audit_later():
    ledger = ledger_at(4)
    ledger.arrive(5)
    assert ledger.audit(5) is False  # everything committed was seen
    assert ledger.audit(6) is False  # 6 may still be on its way: remember it
    assert ledger.audit(6) is True  # still unseen one audit later: lost
    ledger.resynced(upto=6)
    assert ledger.contiguous == 6 and ledger.audit(6) is False


def test_an_audit_mark_is_forgotten_once_the_version_arrives():
    ledger = ledger_at(4)
    assert ledger.audit(5) is False
    ledger.arrive(5)
    assert ledger.audit(5) is False and ledger.audit_mark == 0
    assert ledger.audit(9, force=True) is True  # after an outage: no second audit needed
