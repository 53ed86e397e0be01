"""What the tenant core tracks: the wedding's own settings, its events and its wedding party.

Discovered by `realtime` like every app's live.py. The core's own modules never
import `realtime` (the dependency runs core → realtime); this declaration is a
plug-in that realtime loads, as the admin loads admin.py.
"""

from __future__ import annotations

from realtime.live import track
from wedding.core.models import Event, PlannerInvitation, Wedding, WeddingPartyMember


def wedding_summary(obj: Wedding, action: str) -> str:
    if action == "create":
        return f"Wedding “{obj}” created"
    return f"Wedding settings updated (seating {'published' if obj.seating_published else 'hidden'})"


track(Wedding, topic="wedding", describe=wedding_summary)
track(Event, topic="event")
track(WeddingPartyMember, topic="party")


def invitation_summary(obj: PlannerInvitation, action: str) -> str:
    if action == "create":
        return f"Invited {obj.email} to plan the wedding"
    if action == "delete":
        return f"Invitation to {obj.email} withdrawn"
    return f"{obj.email} accepted the invitation to plan the wedding" if obj.accepted_at else f"Invitation to {obj.email} updated"


track(PlannerInvitation, topic="planner", describe=invitation_summary)
