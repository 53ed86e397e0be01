"""A co-planner who joined the way a real one does: invited by a planner, account made from the link."""

from __future__ import annotations

from wedding.core import services

PASSWORD = "correct-horse-battery-42"


def join_by_invitation(wedding, email: str = "marta@example.com"):
    """The user who accepted a planner's invitation to `wedding` with a new account."""
    invitation = services.planner_invite(
        wedding=wedding, email=email, invited_by=wedding.planners.order_by("pk").first(), link_for=str
    )
    user = services.planner_account_create(email=email, password=PASSWORD)
    services.planner_invitation_accept(invitation=invitation, user=user)
    return user
