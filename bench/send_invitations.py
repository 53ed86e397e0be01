"""Benchmark: send 2,000 invitations through a local SMTP server while a planner watches the dashboard.

    .venv/bin/python bench/send_invitations.py [--households 2000] [--database-url URL]

Real processes: `manage.py messaging_worker` (the task worker) delivers to an
aiosmtpd server in this process; daphne serves the planner's dashboard, which
one client requests back to back the whole time. Prints messages per second
(commit of the send → last copy recorded sent) and the dashboard's latency
(p50/p95/max) before and during the send. SQLite in a temporary directory
unless --database-url names a scratch database (it is migrated and filled).
The per-wedding rate limit is lifted for the run (MESSAGING_RATE_PER_MINUTE).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(households: int) -> tuple[int, str, int]:
    """A wedding with `households` households of one guest each (bulk: this is not what is measured)."""
    from django.core.management import call_command
    from django.utils import timezone

    from guests.models import Guest, Household
    from realtime.capture import suspended
    from rsvp.models import Invitation
    from tests import factories
    from tests.integration.helpers import planner_session_key
    from wedding.messaging.models import Message

    call_command("migrate", verbosity=0)
    planner = factories.UserFactory(username=f"bench-planner-{os.getpid()}")
    wedding = factories.WeddingFactory(planners=[planner], slug=f"bench-send-{os.getpid()}")
    event = factories.EventFactory(wedding=wedding, name="Ceremony", starts_at=timezone.now())
    with suspended():
        rows = Household.objects.bulk_create(
            [Household(wedding=wedding, name=f"The {i:05d} family", invitation_code=f"BENCH{os.getpid() % 10000:04d}{i:05d}"[:16],
                       email=f"h{i}@bench.example") for i in range(households)]
        )
        guests = Guest.objects.bulk_create(
            [Guest(wedding=wedding, household=h, first_name=f"Guest{i}", last_name="Bench") for i, h in enumerate(rows)]
        )
        Invitation.objects.bulk_create([Invitation(wedding=wedding, guest=g, event=event) for g in guests])
    message = Message.objects.create(
        wedding=wedding, kind="invitation", subject="You're invited, {{ household }}",
        body="{{ greeting }},\n\nCome to {{ wedding }}!\n{{ events }}\n\nAnswer by {{ rsvp_deadline }}: {{ link }}",
    )
    return wedding.pk, planner_session_key(planner), message.pk


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


class Poller(threading.Thread):
    """Requests the dashboard back to back, recording each latency with its start time."""

    def __init__(self, url: str, session: str) -> None:
        super().__init__(daemon=True)
        import httpx

        self.client = httpx.Client(cookies={"sessionid": session}, timeout=30)
        self.url = url
        self.samples: list[tuple[float, float]] = []
        self.errors = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            start = time.perf_counter()
            response = self.client.get(self.url)
            elapsed = time.perf_counter() - start
            if response.status_code != 200:
                self.errors += 1
            self.samples.append((start, elapsed * 1000))

    def between(self, t0: float, t1: float) -> list[float]:
        return [ms for start, ms in self.samples if t0 <= start < t1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="confetti-send-")
    database_url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.update({"DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "wedding.settings",
                       "LOG_LEVEL": "WARNING"})
    import django

    django.setup()
    from django.urls import reverse

    from tests.e2e.servers import PRODUCT_ASGI_APP, DaphneServer
    from tests.messaging.smtp import SmtpServer
    from wedding.messaging import services
    from wedding.messaging.models import Message, Recipient

    wedding_id, session, message_id = setup(args.households)
    smtp = SmtpServer().start()
    server = DaphneServer(database_url=database_url, app=PRODUCT_ASGI_APP, log_dir=tmp)
    server.start()
    worker_env = {
        **os.environ, "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port), "MESSAGING_RATE_PER_MINUTE": "10000000",
    }
    worker = subprocess.Popen([sys.executable, "manage.py", "messaging_worker", "--interval", "0.2"],
                              cwd=ROOT, env=worker_env, stdout=subprocess.DEVNULL, stderr=open(f"{tmp}/worker.log", "w"))
    poller = Poller(server.url + reverse("admin:dashboard", args=[wedding_id]), session)
    try:
        poller.start()
        time.sleep(10)  # the dashboard at rest
        idle_end = time.perf_counter()
        message = Message.objects.get(pk=message_id)
        queued = services.message_send(message=message)
        t0 = time.perf_counter()
        deadline = t0 + 900
        while Message.objects.get(pk=message_id).status != "sent" and time.perf_counter() < deadline:
            time.sleep(0.1)
        t1 = time.perf_counter()
        poller.stop.set()
        poller.join(timeout=30)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        server.stop()
        smtp.stop()

    sent = Recipient.objects.filter(message_id=message_id, status="sent").count()
    failed = Recipient.objects.filter(message_id=message_id, status="failed").count()
    arrived = len(smtp.handler.arrived)
    idle = poller.between(0, idle_end)
    during = poller.between(t0, t1)
    from django.db import connection

    print(f"{queued} invitations queued ({connection.vendor}); {sent} sent, {failed} failed, {arrived} arrived "
          f"at the SMTP server, {arrived - len({a.to[0] for a in smtp.handler.arrived})} duplicates")
    print(f"send: {t1 - t0:.1f} s → {sent / (t1 - t0):.0f} messages/s")
    for label, values in (("dashboard at rest", idle), ("dashboard during the send", during)):
        print(f"{label:26} n={len(values):4}  p50 {percentile(values, 50):6.0f} ms  p95 {percentile(values, 95):6.0f} ms"
              f"  max {max(values, default=float('nan')):6.0f} ms")
    if poller.errors:
        print(f"dashboard errors: {poller.errors}")


if __name__ == "__main__":
    main()
