"""Tables on an event's floor plan and the guests seated at them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from wedding.core.models import WeddingScoped
from wedding.core.ordering import natural_key


class Table(WeddingScoped):
    class Shape(models.TextChoices):
        ROUND = "round", "Round"
        RECTANGLE = "rect", "Rectangle"
        SQUARE = "square", "Square"

    event = models.ForeignKey("wedding.Event", on_delete=models.CASCADE, related_name="tables")
    name = models.CharField(max_length=60)
    capacity = models.PositiveSmallIntegerField(default=8)
    shape = models.CharField(max_length=6, choices=Shape.choices, default=Shape.ROUND)
    # Position on the floor plan, in percent of its width and height.
    x = models.FloatField(default=10)
    y = models.FloatField(default=10)
    # Who the table is meant for (auto-seat scores it): guest traits such as "age:child"
    # (a kids' table) or "tag:Dancers" (guests tagged for the table near the dance floor).
    prefers = models.JSONField(default=list, blank=True)
    # The couple's order for the chart, reports and stationery; equal numbers (0 by default)
    # sort naturally by name, so "Table 2" comes before "Table 10" until the couple says otherwise.
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Where this table comes in lists and printouts (lower first); "
        "tables with the same number are ordered by name.",
    )

    class Meta:
        ordering = ["event", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="table_unique_name_per_event"),
            models.UniqueConstraint(fields=["id", "event"], name="table_id_event"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="table_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name


def table_key(table: Table) -> tuple:
    """The couple's order, then natural order of names ("Head table", "Table 2", "Table 10"), then id."""
    return table.order, natural_key(table.name), table.pk


class Seat(WeddingScoped):
    """A guest's place at one event: one per guest and event, never over the table's capacity."""

    event = models.ForeignKey("wedding.Event", on_delete=models.CASCADE, related_name="seats")
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="seats")
    guest = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="seats")
    assigned_at = models.DateTimeField(auto_now=True)
    # Who put the guest here: a planner whose move lost a race is told who won it.
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Pinned seats are never moved by auto-seat.
    pinned = models.BooleanField(default=False)
    # Optional place at the table (seat 3 of a round table); unique per table.
    number = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["guest", "event"], name="one_seat_per_guest_and_event"),
            models.UniqueConstraint(
                fields=["table", "number"], condition=models.Q(number__isnull=False), name="one_guest_per_place",
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="seat_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.guest} at {self.table}"


class KeepTogether(WeddingScoped):
    """A planner's group that auto-seat keeps at one table (households are kept together anyway)."""

    name = models.CharField(max_length=80)
    guests = models.ManyToManyField("guests.Guest", related_name="keep_together")

    class Meta:
        ordering = ["name"]
        verbose_name = "keep-together group"
        constraints = [models.UniqueConstraint(fields=["wedding", "name"], name="keep_together_unique_name")]

    def __str__(self) -> str:
        return self.name


class KeepApart(WeddingScoped):
    """Two guests auto-seat never puts at one table. Stored once per pair (lower id first)."""

    first = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "keep-apart pair"
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="keep_apart_once"),
            models.CheckConstraint(condition=models.Q(first__lt=models.F("second")), name="keep_apart_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.first} apart from {self.second}"


class FloorPlan(WeddingScoped):
    """The room of one event, to scale: the chart draws tables and objects in its unit."""

    class Unit(models.TextChoices):
        METRES = "m", "metres"
        FEET = "ft", "feet"

    event = models.OneToOneField("wedding.Event", on_delete=models.CASCADE, related_name="floor_plan")
    width = models.FloatField(default=30, help_text="Across the room, in the unit below.")
    length = models.FloatField(default=20, help_text="Front to back, in the unit below.")
    unit = models.CharField(max_length=2, choices=Unit.choices, default=Unit.METRES)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(width__gt=0, length__gt=0), name="floor_plan_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.width:g} × {self.length:g} {self.unit}"


class FloorObject(WeddingScoped):
    """Something on the floor that is not a table: the dance floor, the stage, the bar…"""

    class Kind(models.TextChoices):
        DANCE_FLOOR = "dance", "Dance floor"
        STAGE = "stage", "Stage"
        BAR = "bar", "Bar"
        DJ = "dj", "DJ"
        ENTRANCE = "entrance", "Entrance"
        OTHER = "other", "Other"

    event = models.ForeignKey("wedding.Event", on_delete=models.CASCADE, related_name="floor_objects")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    label = models.CharField(max_length=60, blank=True)
    # Position as tables have it (percent of the free space); size in the plan's unit.
    x = models.FloatField(default=50)
    y = models.FloatField(default=0)
    width = models.FloatField(default=6)
    length = models.FloatField(default=6)

    class Meta:
        ordering = ["event", "pk"]
        verbose_name = "floor-plan object"
        constraints = [
            models.CheckConstraint(condition=models.Q(width__gt=0, length__gt=0), name="floor_object_positive"),
        ]

    def __str__(self) -> str:
        return self.label or self.get_kind_display()
