"""What the guest list commands share: choosing the wedding they work on."""

from __future__ import annotations

from django.core.management.base import CommandError

from wedding.core.models import Wedding


def wedding_from_option(slug: str | None) -> Wedding:
    """The wedding named by --wedding, or the only one there is; else a clear CommandError."""
    if slug:
        wedding = Wedding.objects.filter(slug=slug).first()
        if wedding is None:
            known = ", ".join(Wedding.objects.values_list("slug", flat=True)[:20]) or "none yet"
            raise CommandError(f"No wedding with the slug “{slug}” (weddings: {known}).")
        return wedding
    weddings = list(Wedding.objects.all()[:21])
    if not weddings:
        raise CommandError("There is no wedding yet; create one (or run `manage.py demo`) first.")
    if len(weddings) > 1:
        known = ", ".join(w.slug for w in weddings[:20])
        raise CommandError(f"There are several weddings; choose one with --wedding SLUG ({known}).")
    return weddings[0]
