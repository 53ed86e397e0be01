"""What the guest site announces for other apps to act on (signals only announce)."""

from __future__ import annotations

from django.dispatch import Signal

# A household followed its personal invitation link (`/i/<code>/`) — sent with `household=`.
# Messaging marks the emails it sent to the household as opened.
invitation_link_followed = Signal()
