"""Messages to households and their outbox: one Recipient row per address a message goes to.

A Recipient row is the unit of delivery and of idempotency: the worker moves
it queued → claimed → sending → sent (or failed), each step committed before
the next, so a crash or a retry can tell what was already handed to the mail
server (see `wedding.messaging.delivery`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from guests.models import Guest
from wedding.core.models import (
    Timestamped,
    WeddingScoped,
    WeddingScopedQuerySet,
    translations_field,
)


class Message(Timestamped):
    TRANSLATED_FIELDS = ("subject", "body")

    class Kind(models.TextChoices):
        SAVE_THE_DATE = "save_the_date", "Save the date"
        INVITATION = "invitation", "Invitation"
        REMINDER = "reminder", "Reminder"
        UPDATE = "update", "Update"
        THANK_YOU = "thank_you", "Thank you"

    class Segment(models.TextChoices):
        ALL = "all", "All households"
        NOT_ANSWERED = "not_answered", "Not answered (for the event)"
        ATTENDING = "attending", "Attending (the event, or any)"
        DECLINED = "declined", "Declined (the event, or any)"
        INVITED = "invited", "Invited to the event"
        TAG = "tag", "Tagged"
        SIDE = "side", "Side"
        NEVER_OPENED = "never_opened", "Never opened an invitation"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.INVITATION)
    subject = models.CharField(max_length=300, help_text="Placeholders work here too: {{ greeting }}…")
    body = models.TextField(
        help_text="Plain text with placeholders: {{ greeting }} {{ guest_names }} {{ link }} "
        "{{ rsvp_deadline }} {{ events }} {{ table }} {{ wedding }} {{ household }}."
    )
    # The subject and body in the wedding's other languages: each household gets its own.
    translations = translations_field()
    essential = models.BooleanField(
        default=False,
        help_text="An essential update (the shuttle leaves at 4): also reaches households that "
        "opted out, but only those with someone attending. Marked as essential in the email.",
    )
    segment = models.CharField(max_length=16, choices=Segment.choices, default=Segment.ALL)
    segment_event = models.ForeignKey(
        "wedding.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="event", help_text="For “not answered”, “attending”, “declined”, “invited”.",
    )
    segment_tag = models.ForeignKey(
        "guests.Tag", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="tag"
    )
    # The guests' own sides: a household is on a side when one of its guests is.
    segment_side = models.CharField("side", max_length=4, blank=True, choices=Guest.Side.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False)
    scheduled_for = models.DateTimeField(null=True, blank=True, editable=False)
    send_requested_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"

    @property
    def editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SCHEDULED)


class RecipientQuerySet(WeddingScopedQuerySet):
    def unfinished(self) -> RecipientQuerySet:
        return self.filter(status__in=Recipient.UNFINISHED)


class Recipient(WeddingScoped):
    """One address one message goes to; the outbox row the worker delivers."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        CLAIMED = "claimed", "Claimed by a worker"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"

    UNFINISHED = (Status.QUEUED, Status.CLAIMED, Status.SENDING)

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="recipients")
    household = models.ForeignKey("guests.Household", on_delete=models.CASCADE, related_name="+")
    address = models.EmailField()
    subject = models.CharField("rendered subject", max_length=300)
    # The Message-ID header, set once at composition: every attempt carries the same one, so
    # a receiving server (or a person) can recognise a copy.
    message_id_header = models.CharField("Message-ID", max_length=200, unique=True)
    essential = models.BooleanField(default=False, help_text="Sent despite an opt-out.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # The token of the worker run that claimed the row (a conditional UPDATE claims it, so two
    # workers never hold the same row, on PostgreSQL and SQLite alike).
    claim = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    reason = models.CharField(max_length=500, blank=True, help_text="The mail server's words.")
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    # [{"status": "sent", "at": iso, "detail": "..."}]: what the planner reads for "did Aunt Rosa get it?"
    history = models.JSONField(default=list)

    objects = RecipientQuerySet.as_manager()

    class Meta:
        ordering = ["household__name", "address"]
        constraints = [
            models.UniqueConstraint(fields=["message", "address"], name="one_copy_per_message_and_address"),
        ]
        indexes = [
            models.Index(fields=["message", "status", "next_attempt_at"]),
            models.Index(fields=["wedding", "sent_at"]),  # the per-wedding rate limit's window
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.get_status_display()})"


def new_message_id(domain: str) -> str:
    return f"<{uuid.uuid4().hex}@{domain}>"


class OptOut(WeddingScoped):
    """A household that asked for no more non-essential messages (by its unsubscribe link)."""

    household = models.OneToOneField("guests.Household", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "opt-out"

    def __str__(self) -> str:
        return f"{self.household} opted out"
