"""What the RSVP announces for other apps to act on, inside the write's transaction."""

from __future__ import annotations

from django.dispatch import Signal

# Guests were uninvited from an event (sent with event=, guest_ids=, inside the transaction that
# deletes their invitations and answers). Seating frees their seats at that event, so that an
# uninvited guest never keeps a place — one transaction, one change.
guests_uninvited = Signal()
