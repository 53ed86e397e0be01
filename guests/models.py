"""Households (the invitation unit), guests, tags and guest requests."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils.text import get_text_list
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guests.codes import new_code, new_household_key
from guests.lookup import fold
from wedding.core.models import Timestamped, WeddingScoped, WeddingScopedQuerySet

# What guest lists and imports call a plus-one nobody has named yet (folded).
UNNAMED_PLUS_ONE = frozenset({"", "1", "guest", "plus one", "plus 1", "plus1", "and guest", "tbd", "tba", "unknown", "invitado", "invitada", "acompanante"})


def people_list(names: list[str]) -> str:
    """Names as a sentence says them: “Ana”, “Ana and Ben”, “Ana, Ben and Carla” (translated)."""
    return get_text_list(names, gettext("and"))


class Household(Timestamped):
    name = models.CharField(max_length=200, help_text="As on the envelope: “The Ruiz family”.")
    invitation_code = models.CharField(max_length=16, unique=True, editable=False)
    # The household's identity in exported files: two "The Müller household" rows stay two
    # households when a backup is imported again (here or into another wedding).
    key = models.CharField(max_length=40, blank=True, editable=False)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField("mailing address", blank=True)
    plus_ones_allowed = models.PositiveSmallIntegerField(default=0)
    message_to_couple = models.TextField(blank=True, help_text="Written by the guests with their RSVP.")
    notes = models.TextField("planner notes", blank=True, help_text="Never shown to guests.")
    # Chosen with the guest site's language switch; follows the household to every device and email.
    language = models.CharField(
        max_length=8, blank=True, choices=settings.LANGUAGES,
        help_text="The language of the household's guest pages and emails. Blank: the wedding's.",
    )

    objects = WeddingScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["wedding", "key"], condition=~models.Q(key=""), name="household_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def greeting_name(self) -> str:
        """Who a greeting addresses: “Ana and Ben”, whatever the envelope name says.

        The household's people by first name (full names where two share one),
        plus-ones last and unnamed plus-ones left out; the household's name when
        nobody is named. Uses `guests` as prefetched when it is.
        """
        people = sorted(self.guests.all(), key=lambda g: (g.is_plus_one, g.pk))
        named = [g for g in people if g.first_name.strip() and not (g.is_plus_one and fold(g.first_name) in UNNAMED_PLUS_ONE)]
        firsts = [g.first_name.strip() for g in named]
        names = [g.full_name if firsts.count(first) > 1 else first for g, first in zip(named, firsts, strict=True)]
        return people_list(names) if names else self.name

    def save(self, *args, **kwargs) -> None:
        if not self.key:
            self.key = new_household_key()
        if self.invitation_code:
            return super().save(*args, **kwargs)
        # A collision at ~46 bits is astronomically rare, but a retry is cheap.
        for _attempt in range(5):
            self.invitation_code = new_code()
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                if type(self).objects.filter(invitation_code=self.invitation_code).exists():
                    continue
                raise
        raise IntegrityError("could not allocate a unique invitation code")


class Tag(WeddingScoped):
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["wedding", "name"], name="tag_unique_name")]

    def __str__(self) -> str:
        return self.name


class GuestQuerySet(WeddingScopedQuerySet):
    """The one definition of each guest-list read: the admin's filters, the dashboard's list and
    the reports all use these, so they give the same answers.

    RSVP and seating rows are reached through their reverse relations ("invitations",
    "responses", "seats"), so this module imports neither app; the answer values are the
    rsvp app's `Response.Status` values.
    """

    def invited_to(self, event) -> GuestQuerySet:
        return self.filter(pk__in=self._with(invitations__event=event))

    def not_invited_to(self, event) -> GuestQuerySet:
        return self.exclude(pk__in=self._with(invitations__event=event))

    def attending(self, event) -> GuestQuerySet:
        return self.filter(pk__in=self._with(responses__event=event, responses__status="attending"))

    def declined(self, event) -> GuestQuerySet:
        return self.filter(pk__in=self._with(responses__event=event, responses__status="declined"))

    def pending(self, event) -> GuestQuerySet:
        """Invited to the event and not (yet) attending or declining it."""
        decided = self._with(responses__event=event, responses__status__in=("attending", "declined"))
        return self.invited_to(event).exclude(pk__in=decided)

    def rsvp_status(self, event, status: str) -> GuestQuerySet:
        """By one answer for the event: attending, declined, pending or not_invited (else unchanged)."""
        method = {"attending": self.attending, "declined": self.declined, "pending": self.pending,
                  "not_invited": self.not_invited_to}.get(status)
        return method(event) if method else self

    def seated_at(self, table) -> GuestQuerySet:
        return self.filter(pk__in=self._with(seats__table=table))

    def unseated(self, event) -> GuestQuerySet:
        return self.exclude(pk__in=self._with(seats__event=event))

    def search(self, text: str, *, names_only: bool = False) -> GuestQuerySet:
        """Every word (at most five) in a first or last name, the email or the household's name.

        `names_only` matches first and last names alone: what a guest searching the directory
        may match on (an email or a household name is not theirs to confirm).
        """
        guests = self
        for word in (text or "").split()[:5]:
            match = models.Q(first_name__icontains=word) | models.Q(last_name__icontains=word)
            if not names_only:
                match |= models.Q(email__icontains=word) | models.Q(household__name__icontains=word)
            guests = guests.filter(match)
        return guests

    def _with(self, **lookups) -> models.QuerySet:
        # One subquery of guest ids: each filter() on a multi-valued relation matches one row.
        return Guest.objects.filter(**lookups).values("pk")


class Guest(Timestamped):
    class AgeGroup(models.TextChoices):
        ADULT = "adult", _("Adult")
        CHILD = "child", _("Child")
        INFANT = "infant", _("Infant")

    class Side(models.TextChoices):
        PARTNER_A = "a", _("Partner A")
        PARTNER_B = "b", _("Partner B")
        BOTH = "both", _("Both")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="guests")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    age_group = models.CharField(max_length=6, choices=AgeGroup.choices, default=AgeGroup.ADULT)
    side = models.CharField(max_length=4, choices=Side.choices, default=Side.BOTH)
    tags = models.ManyToManyField(Tag, blank=True, related_name="guests")
    dietary_notes = models.CharField(max_length=300, blank=True)
    is_plus_one = models.BooleanField(default=False)
    directory_opt_in = models.BooleanField(
        "listed in the guest directory", default=False, help_text="Name, side and table only."
    )
    notes = models.TextField("planner notes", blank=True, help_text="Never shown to guests.")

    objects = GuestQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class GuestRequest(Timestamped):
    class Kind(models.TextChoices):
        PLUS_ONE = "plus_one", _("Plus-one")
        ACCESSIBILITY = "accessibility", _("Accessibility need")
        CHANGE = "change", _("Change after the deadline")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="requests")
    guest = models.ForeignKey(Guest, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    message = models.TextField(max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    reply = models.TextField(blank=True, help_text="Shown to the household.")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.household}"


class ImportMapping(WeddingScoped):
    """The column choices of a wedding's last confirmed import, offered for the next one.

    `columns` maps a folded file header ("first name") to a field key
    (see guests.importexport.importing.mapping); `values` maps, per kind (side, age group,
    RSVP), a folded file value to Confetti's. Not a live change: it is the
    planner's tool setting, not the guest list.
    """

    columns = models.JSONField(default=dict)
    values = models.JSONField(default=dict)
    split_couples = models.BooleanField(default=True)
    grouping = models.CharField(max_length=20, default="row")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["wedding"], name="one_import_mapping_per_wedding")]

    def __str__(self) -> str:
        return f"Import mapping of {self.wedding_id}"
