"""The RSVP's database rule: a response's meal belongs to the response's event (see wedding.core.db_rules)."""

from __future__ import annotations

from wedding.core.db_rules import SameEventReference, installer

RESPONSE_MEAL_EVENT = SameEventReference.of(
    table="rsvp_response", fk="meal", ref="rsvp_mealoption", message="the meal belongs to another event"
)

install = installer(tables=("rsvp_response", "rsvp_mealoption"), rules=(RESPONSE_MEAL_EVENT,))
