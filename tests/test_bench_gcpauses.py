"""bench/gcpauses.py: the fan-out benchmark's record of the server's garbage-collector pauses."""

from __future__ import annotations

import gc
import time

from bench import gcpauses


def test_a_full_collection_is_recorded_with_when_it_ended_and_a_young_one_is_not_counted_as_full():
    gcpauses.install()
    gcpauses.install()  # once, however often it is asked
    try:
        assert gc.callbacks.count(gcpauses._record) == 1
        before = time.time()
        gc.collect()  # a full collection
        gc.collect(0)  # a young one
        after = time.time()
        full = gcpauses.full_collections(gcpauses.PAUSES, before, after)
        assert len(full) == 1 and full[0] >= 0
        assert gcpauses.full_collections(gcpauses.PAUSES, after + 1, after + 2) == []
        assert all(ended <= after for ended, _generation, _ms, _collected in gcpauses.PAUSES)
    finally:
        gc.callbacks.remove(gcpauses._record)
