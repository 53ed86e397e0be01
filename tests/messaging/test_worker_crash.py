"""A real worker process killed mid-send, then restarted: the send finishes, nobody gets two copies.

PostgreSQL (shared by the test and the worker processes), a real SMTP server in the test.
"""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests import factories
from tests.e2e.servers import database_url
from tests.integration.fixtures import require_postgres
from wedding.messaging import delivery, services
from wedding.messaging.models import Message, Recipient

pytestmark = [pytest.mark.postgres, pytest.mark.integration]
ROOT = Path(__file__).resolve().parents[2]
HOUSEHOLDS = 60


def start_worker(smtp, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port),
        "MESSAGING_BATCH_SIZE": "10", "MESSAGING_CLAIM_LEASE_SECONDS": "2",
        "MESSAGING_RETRY_BASE_SECONDS": "0", "MESSAGING_RATE_PER_MINUTE": "100000",
        "SITE_URL": "http://testserver",
    }
    env.pop("CONFETTI_EXPECT_POSTGRES", None)
    return subprocess.Popen(
        [sys.executable, "manage.py", "messaging_worker", "--interval", "0.2"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )


def wait_for(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_send_and_restarted_finishes_without_duplicates(smtp, wedding, planner, tmp_path):
    require_postgres()
    smtp.handler.delay = 0.03  # slow enough for the kill to land mid-send
    for i in range(HOUSEHOLDS):
        household = factories.HouseholdFactory(wedding=wedding, name=f"H{i:03}", email=f"h{i}@test.example")
        factories.GuestFactory(household=household, email="")
    message = factories.MessageFactory(wedding=wedding)
    services.message_send(message=message, user=planner)
    log = tmp_path / "worker.log"

    worker = start_worker(smtp, log)
    try:
        wait_for(lambda: len(smtp.handler.arrived) >= 15, timeout=60, what="the first copies")
        worker.send_signal(signal.SIGKILL)  # no clean shutdown: rows are left claimed/sending
        worker.wait(timeout=10)
        killed_at = len(smtp.handler.arrived)
        assert killed_at < HOUSEHOLDS, "the worker finished before it could be killed"
        left_behind = Recipient.objects.filter(message=message, status__in=["claimed", "sending"]).count()

        worker = start_worker(smtp, log)
        wait_for(lambda: Message.objects.get(pk=message.pk).status == "sent", timeout=90, what="the send to finish")
    finally:
        worker.kill()
        worker.wait(timeout=10)

    rows = list(Recipient.objects.filter(message=message))
    arrivals = collections.Counter(a.to[0] for a in smtp.handler.arrived)
    assert max(arrivals.values()) == 1, f"duplicates: {[a for a, n in arrivals.items() if n > 1]}"
    assert {r.status for r in rows} <= {"sent", "failed"}
    for row in rows:
        if row.status == "sent":
            assert arrivals[row.address] == 1
        else:  # at most once: the copy in the server's hands at the kill is not resent
            assert row.reason == delivery.UNCERTAIN
    failed = [r for r in rows if r.status == "failed"]
    assert len(failed) <= 1 and left_behind >= 1
    assert len(arrivals) >= HOUSEHOLDS - len(failed)
