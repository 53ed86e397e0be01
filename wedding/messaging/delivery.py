"""The worker's side of the outbox: claim due rows, hand them to the mail server, record what happened.

Idempotency, per Recipient row (the choice is *at most once*):

1. **Claim** a batch: rows `queued` and due are locked (`select_for_update(skip_locked=True)`
   on PostgreSQL, so workers sharing the queue take different rows) and moved to
   `claimed` with this run's token by a conditional UPDATE (`status=queued`), which
   also fences workers on SQLite, where row locks do not exist.
2. Per row, **before** talking to the mail server: `claimed → sending`, committed.
3. Hand the copy to the server; then, committed: `sending → sent` (with the time),
   or `→ queued` again with backoff (4xx, connection lost), or `→ failed` with the
   server's words (5xx, or attempts used up).

A worker that dies leaves rows `claimed` or `sending`. After the claim lease
(`MESSAGING_CLAIM_LEASE_SECONDS`) any worker recovers them: `claimed` rows were never
handed to the server and go back to the queue; a `sending` row may or may not have
been accepted in the instant before the crash, and is marked `failed` ("delivery
uncertain") instead of being resent — nobody gets two copies, and at most one row
per crashed worker needs a planner's "retry failed". A refused or dropped
connection raises before the server accepted the message, so those copies are
retried automatically and are not in doubt.

Each copy carries the Message-ID set when it was queued, the same on every attempt.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import mailers
from django.db import transaction
from django.db.models import F, Min
from django.template.defaultfilters import pluralize
from django.utils import timezone

from guests.models import Household
from realtime.live import record_bulk, record_change
from wedding.messaging import rendering
from wedding.messaging.models import Message, Recipient
from wedding.messaging.outbox import TOPIC, build_email, history_entry
from wedding.messaging.segments import households_for_rendering

logger = logging.getLogger(__name__)

UNCERTAIN = (
    "Delivery uncertain: the worker stopped while handing this copy to the mail server. "
    "Not resent automatically, so nobody gets two copies; use “retry failed” if it did not arrive."
)
S = Recipient.Status


@dataclass(frozen=True)
class Attempt:
    """What one hand-over to the mail server came to."""

    outcome: str  # "sent", "retry", "failed"
    reason: str = ""
    connection_lost: bool = False


def classify_error(error: BaseException) -> Attempt:
    """The mail server's answer → retry or give up, in the server's own words (pure)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()), (550, b"refused"))
        reason = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
        return Attempt("failed" if code >= 500 else "retry", reason)
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else str(error.smtp_error)
        reason = f"{error.smtp_code} {text}"
        # 421: the server is closing the connection (RFC 5321 §3.8).
        return Attempt("failed" if error.smtp_code >= 500 else "retry", reason,
                       connection_lost=error.smtp_code == 421)
    if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
        return Attempt("retry", f"Connection to the mail server lost: {error or type(error).__name__}",
                       connection_lost=True)
    if isinstance(error, ValueError):  # an address the SMTP backend cannot encode
        return Attempt("failed", f"Invalid address: {error}")
    return Attempt("retry", f"{type(error).__name__}: {error}")


def backoff(attempts: int) -> datetime.timedelta:
    """Wait before attempt `attempts + 1`: base, 2×base, 4×base… (capped at an hour)."""
    return datetime.timedelta(seconds=min(settings.MESSAGING_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), 3600))


def recover_stale(*, message_id: int | None = None) -> int:
    """Rows a dead worker left behind (lease expired): `claimed` → queued, `sending` → failed (uncertain)."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.MESSAGING_CLAIM_LEASE_SECONDS)
    stale = Recipient.objects.filter(status__in=(S.CLAIMED, S.SENDING), claimed_at__lt=cutoff)
    if message_id is not None:
        stale = stale.filter(message_id=message_id)
    recovered = 0
    for row in stale.select_related("message"):
        with transaction.atomic():
            if row.status == S.CLAIMED:
                done = _transition(row, frm=S.CLAIMED, to=S.QUEUED, claim=row.claim, detail="a worker stopped before sending")
            else:
                done = _transition(row, frm=S.SENDING, to=S.FAILED, claim=row.claim, reason=UNCERTAIN, detail=UNCERTAIN)
            recovered += done
    return recovered


def _transition(
    row: Recipient, *, frm: str, to: str, claim: str, reason: str = "", detail: str = "",
    record: bool = True, **fields,
) -> bool:
    """Move `row` from `frm` to `to` if this run still holds it; record the change. In a transaction."""
    now = timezone.now()
    values = {"status": to, **fields}
    if to == S.SENT:
        values.update(sent_at=now, reason="")
    elif to == S.FAILED:
        values.update(failed_at=now, reason=reason[:500], claim="")
    elif to == S.QUEUED:
        values.update(claim="", reason=reason[:500] if reason else F("reason"))
    # The row's history as loaded is current: whoever holds the claim is its only writer.
    history = [*row.history, history_entry(to, detail or reason)]
    updated = Recipient.objects.filter(pk=row.pk, status=frm, claim=claim).update(history=history, **values)
    if not updated:
        return False
    row.history = history
    if record:
        verb = {S.SENT: "Sent", S.FAILED: "Failed", S.QUEUED: "Queued again"}.get(to, to)
        record_change(
            wedding_id=row.wedding_id, topic=TOPIC, action="update", model="messaging.recipient",
            object_id=row.pk, summary=f"{verb}: “{row.subject[:80]}” to {row.address}"
            + (f" ({reason[:120]})" if reason and to != S.SENT else ""),
            household_id=row.household_id,
        )
    return True


def _allowance(wedding_id: int) -> tuple[int, float]:
    """How many more copies this wedding may send now, and, when none, seconds until one may go."""
    now = timezone.now()
    window = now - datetime.timedelta(seconds=60)
    recent = Recipient.objects.filter(wedding_id=wedding_id, sent_at__gte=window)
    count = recent.count()
    left = settings.MESSAGING_RATE_PER_MINUTE - count
    if left > 0:
        return left, 0.0
    oldest = recent.aggregate(oldest=Min("sent_at"))["oldest"] or now
    return 0, max((oldest - window).total_seconds(), 0.5)


def _claim(*, message_id: int, limit: int, token: str) -> list[Recipient]:
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Recipient.objects.select_for_update(skip_locked=True)
            .filter(message_id=message_id, status=S.QUEUED, next_attempt_at__lte=now)
            .order_by("pk").values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return []
        Recipient.objects.filter(pk__in=ids, status=S.QUEUED).update(status=S.CLAIMED, claim=token, claimed_at=now)
        rows = list(Recipient.objects.filter(claim=token, status=S.CLAIMED).order_by("pk"))
        if rows:
            record_bulk(
                wedding_id=rows[0].wedding_id, topic=TOPIC, action="update", model="messaging.recipient",
                object_ids=[r.pk for r in rows], summary=f"Sending {len(rows)} copies of “{rows[0].subject[:60]}”",
            )
    return rows


def _retry_or_fail(row: Recipient, *, token: str, attempt: Attempt, attempts: int) -> None:
    with transaction.atomic():
        if attempt.outcome == "retry" and attempts < settings.MESSAGING_MAX_ATTEMPTS:
            _transition(row, frm=S.SENDING, to=S.QUEUED, claim=token, reason=attempt.reason,
                        detail=f"attempt {attempts} failed: {attempt.reason}",
                        next_attempt_at=timezone.now() + backoff(attempts))
        else:
            _transition(row, frm=S.SENDING, to=S.FAILED, claim=token, reason=attempt.reason)


def _release(rows: list[Recipient], *, token: str, reason: str) -> None:
    """Claimed rows this run will not try (connection lost): back to the queue, no attempt counted."""
    with transaction.atomic():
        for row in rows:
            _transition(row, frm=S.CLAIMED, to=S.QUEUED, claim=token, reason=reason, record=False,
                        detail="not tried: " + reason, next_attempt_at=timezone.now() + backoff(1))
        if rows:
            record_bulk(wedding_id=rows[0].wedding_id, topic=TOPIC, action="update",
                        model="messaging.recipient", object_ids=[r.pk for r in rows],
                        summary=f"{len(rows)} copies wait for the mail server: {reason[:120]}")


def _deliver_claimed(message: Message, rows: list[Recipient], *, token: str) -> bool:
    """Send the claimed rows over one connection. False when the connection was lost."""
    households = {
        h.pk: h for h in households_for_rendering(Household.objects.filter(pk__in={r.household_id for r in rows}))
    }
    backend = mailers[settings.MESSAGING_MAILER]
    try:
        backend.open()
    except Exception as error:  # noqa: BLE001 - server down: every row of the batch waits and retries
        attempt = classify_error(error)
        for row in rows:
            with transaction.atomic():
                if _transition(row, frm=S.CLAIMED, to=S.SENDING, claim=token, record=False,
                               attempts=row.attempts + 1, claimed_at=timezone.now()):
                    _retry_or_fail(row, token=token, attempt=Attempt("retry", attempt.reason), attempts=row.attempts + 1)
        return False
    try:
        for index, row in enumerate(rows):
            with transaction.atomic():
                # The fence: from here on a crash leaves this row "sending" (uncertain), never "queued".
                if not _transition(row, frm=S.CLAIMED, to=S.SENDING, claim=token, record=False,
                                   attempts=row.attempts + 1, claimed_at=timezone.now()):
                    continue
            row.attempts += 1
            try:
                household = households[row.household_id]
                rendered = rendering.render_email(message=message, household=household, wedding=household.wedding)
                email = build_email(rendered=rendered, subject=row.subject, to=row.address, message_id=row.message_id_header)
                email.from_email = settings.DEFAULT_FROM_EMAIL
                backend.send_messages([email])
            except rendering.TemplateError as error:
                _retry_or_fail(row, token=token, attempt=Attempt("failed", " ".join(error.messages)), attempts=row.attempts)
            except Exception as error:  # noqa: BLE001 - every server answer is classified and recorded
                attempt = classify_error(error)
                _retry_or_fail(row, token=token, attempt=attempt, attempts=row.attempts)
                if attempt.connection_lost:
                    _release(rows[index + 1:], token=token, reason=attempt.reason)
                    return False
            else:
                with transaction.atomic():
                    _transition(row, frm=S.SENDING, to=S.SENT, claim=token, detail=f"Message-ID {row.message_id_header}")
    finally:
        try:
            backend.close()
        except Exception:  # noqa: BLE001 - closing a dropped connection
            logger.debug("closing the SMTP connection failed", exc_info=True)
    return True


def _finish_or_wait(message_id: int) -> float | None:
    """Mark the message sent when no copy is left to deliver (None); else seconds until one is due."""
    now = timezone.now()
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            return None
        unfinished = message.recipients.unfinished()
        if not unfinished.exists():
            if message.status == Message.Status.SENDING:
                counts = {s: message.recipients.filter(status=s).count() for s in (S.SENT, S.FAILED)}
                households = message.recipients.filter(status=S.SENT).values("household").distinct().count()
                Message.objects.filter(pk=message.pk).update(status=Message.Status.SENT, finished_at=now, updated_at=now)
                record_change(
                    wedding_id=message.wedding_id, topic=TOPIC, action="update", model="messaging.message",
                    object_id=message.pk, household_id=None,
                    summary=f"{message.get_kind_display()} sent to {households} household{pluralize(households)}"
                    + (f"; {counts[S.FAILED]} failed" if counts[S.FAILED] else ""),
                )
            return None
        due = unfinished.filter(status=S.QUEUED).aggregate(at=Min("next_attempt_at"))["at"]
        held = unfinished.exclude(status=S.QUEUED).aggregate(at=Min("claimed_at"))["at"]
    times = [t for t in (due, held and held + datetime.timedelta(seconds=settings.MESSAGING_CLAIM_LEASE_SECONDS)) if t]
    return max((min(times) - now).total_seconds(), 0.0) if times else 0.0


def outbox_deliver(*, message_id: int, budget_seconds: float = 30.0) -> float | None:
    """Deliver the message's due copies for up to `budget_seconds`.

    Returns None when every copy is finished (sent or failed), else the
    seconds after which the caller should run it again (retries waiting for
    their backoff, the wedding's rate limit, rows another worker holds).
    Safe to run in several workers at once and to run again after a crash.
    """
    message = Message.objects.select_related("wedding").filter(pk=message_id).first()
    if message is None:
        return None
    deadline = time.monotonic() + budget_seconds
    while time.monotonic() < deadline:
        recover_stale(message_id=message_id)
        left, wait = _allowance(message.wedding_id)
        if not left:
            return wait
        token = uuid.uuid4().hex
        rows = _claim(message_id=message_id, limit=min(settings.MESSAGING_BATCH_SIZE, left), token=token)
        if not rows:
            break
        if not _deliver_claimed(message, rows, token=token):
            break
    return _finish_or_wait(message_id)
