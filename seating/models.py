"""Tables on an event's floor plan and the guests seated at them."""

from __future__ import annotations

from django.db import models

from wedding.core.models import WeddingScoped


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

    class Meta:
        ordering = ["event", "name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="table_unique_name_per_event"),
            models.UniqueConstraint(fields=["id", "event"], name="table_id_event"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="table_capacity_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Seat(WeddingScoped):
    """A guest's place at one event: one per guest and event, never over the table's capacity."""

    event = models.ForeignKey("wedding.Event", on_delete=models.CASCADE, related_name="seats")
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="seats")
    guest = models.ForeignKey("guests.Guest", on_delete=models.CASCADE, related_name="seats")
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["guest", "event"], name="one_seat_per_guest_and_event")]

    def __str__(self) -> str:
        return f"{self.guest} at {self.table}"
