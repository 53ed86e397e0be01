"""The RSVP's database rule: a response's meal belongs to the response's event (see wedding.core.db_rules)."""

from __future__ import annotations

from typing import Any

from django.db import connections

from wedding.core.db_rules import SameEventReference, tables_exist

RESPONSE_MEAL_EVENT = SameEventReference(
    name="confetti_response_meal_event",
    table="rsvp_response",
    columns=("meal_id", "event_id"),
    ref="rsvp_mealoption",
    ref_columns=("id", "event_id"),
    message="the meal belongs to another event",
)


def install(*, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver; safe to run any number of times."""
    connection = connections[using]
    if tables_exist(connection, ("rsvp_response", "rsvp_mealoption")):
        RESPONSE_MEAL_EVENT.install(connection)
