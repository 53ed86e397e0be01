"""realtime_status and realtime_tail: what a developer sees in a terminal."""

from __future__ import annotations

import io
import tempfile
import threading
import time

import pytest
from django.core.management import call_command

from realtime import hub as hub_module
from tests import factories

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_settings")]


def _call(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **kwargs)
    return out.getvalue()


def test_tail_once_prints_the_backlog_of_committed_changes(wedding, household):
    factories.GuestFactory(household=household, first_name="Tailed", last_name="Guest")

    output = _call("realtime_tail", "--once", "--backlog", "1", "--wedding", wedding.slug)

    assert "lucia-marco" in output and "guest/create" in output and "Tailed Guest" in output
    assert "The Ruiz family" not in output  # older versions are not part of a backlog of 1


def test_tail_prints_changes_as_they_are_committed_and_stops_at_the_timeout(wedding, household):
    def later():
        time.sleep(0.4)
        factories.GuestFactory(household=household, first_name="Live", last_name="One")

    writer = threading.Thread(target=later)
    started = time.monotonic()
    writer.start()
    output = _call("realtime_tail", "--wedding", wedding.slug, "--interval", "0.1", "--timeout", "1.5")
    writer.join()

    assert "Live One" in output
    assert 1.4 <= time.monotonic() - started < 4


def test_tail_refuses_an_unknown_wedding(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No wedding"):
        _call("realtime_tail", "--once", "--wedding", "nope")


def test_status_reports_layer_versions_changes_and_process_counters(wedding, household, monkeypatch, tmp_path):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    factories.GuestFactory(household=household, first_name="Status")
    hub_module.write_counters({
        "process": "abc123", "pid": 4242, "state": "live", "sockets": 7, "weddings": 1,
        "messages_in": 12, "frames_out": 80, "renders": 5, "resyncs": 1, "gaps": 0,
        "layer_errors": 0, "updated_at": time.time(),
    })
    hub_module.write_counters({"process": "stale", "pid": 1, "updated_at": time.time() - 3600})
    wedding.refresh_from_db()

    output = _call("realtime_status", "--wedding", wedding.slug)

    assert "InMemoryChannelLayer" in output and "reachable" in output
    assert f"lucia-marco: version {wedding.version}" in output
    assert "Status" in output and "guest/create" in output
    assert "pid 4242" in output and "sockets=7" in output and "frames_out=80" in output
    assert "pid 1 " not in output  # a process that stopped reporting is dropped


def test_status_says_when_the_layer_is_unreachable(db, settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": ["redis://127.0.0.1:6390"]}}
    }
    started = time.monotonic()
    output = _call("realtime_status")
    assert "RedisChannelLayer" in output and "NOT REACHABLE" in output
    assert time.monotonic() - started < 5
