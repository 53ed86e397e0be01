"""The real task path: a committed send enqueues a task; `manage.py messaging_worker` delivers it."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from tests import factories
from wedding.messaging import services
from wedding.messaging.models import Message, Recipient

# Also in the SQLite pass of `make test` (pyproject.toml's `sqlite` marker).
pytestmark = pytest.mark.sqlite


@pytest.mark.django_db(transaction=True)
def test_committed_send_is_delivered_by_the_worker_command(smtp, wedding, event, planner):
    for i in range(3):
        household = factories.HouseholdFactory(wedding=wedding, name=f"The H{i} family", email=f"h{i}@test.example")
        factories.GuestFactory(household=household, email="")
    message = factories.MessageFactory(wedding=wedding)
    services.message_send(message=message, user=planner)  # commits, then enqueues the delivery task
    assert smtp.handler.arrived == []

    call_command("messaging_worker", "--batch", "--interval", "0.1", verbosity=0)

    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert set(Recipient.objects.values_list("status", flat=True)) == {"sent"}
    assert sorted(a.to[0] for a in smtp.handler.arrived) == [f"h{i}@test.example" for i in range(3)]


@pytest.mark.django_db(transaction=True)
def test_worker_start_resumes_a_send_whose_task_was_lost(smtp, wedding, planner):
    from django_tasks_db.models import DBTaskResult

    household = factories.HouseholdFactory(wedding=wedding, email="h@test.example")
    factories.GuestFactory(household=household, email="")
    message = factories.MessageFactory(wedding=wedding)
    services.message_send(message=message, user=planner)
    DBTaskResult.objects.all().delete()  # the task died with its worker

    call_command("messaging_worker", "--batch", "--interval", "0.1", verbosity=0)
    assert [a.to for a in smtp.handler.arrived] == [["h@test.example"]]


def test_the_worker_command_runs_several_workers_and_stops_them(monkeypatch, settings, db):
    """`--processes N` (default settings.TASK_WORKER_PROCESSES): N-1 more workers, without a second
    recovery, stopped when this one stops."""
    from wedding.messaging.management.commands import messaging_worker

    started, ran = [], []

    class FakeProcess:
        def __init__(self, command):
            self.command, self.events = command, []
            started.append(self)

        def terminate(self):
            self.events.append("terminate")

        def wait(self):
            self.events.append("wait")

    monkeypatch.setattr(messaging_worker.subprocess, "Popen", FakeProcess)
    monkeypatch.setattr(messaging_worker, "call_command", lambda *args, **kwargs: ran.append(args))
    settings.TASK_WORKER_PROCESSES = 3
    call_command("messaging_worker", "--interval", "0.5", verbosity=0)

    assert ran == [("db_worker", "--interval", "0.5")]
    assert len(started) == 2
    for other in started:
        assert "--no-recover" in other.command and other.command[other.command.index("--processes") + 1] == "1"
        assert other.events == ["terminate", "wait"]
    with pytest.raises(CommandError):
        call_command("messaging_worker", "--processes", "0", verbosity=0)
