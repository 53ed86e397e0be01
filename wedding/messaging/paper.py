"""Paper invitations: envelope rows for a mail merge, and a QR code of each household's link."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import reverse
from django.utils.text import get_text_list

from guests.models import Guest, Household
from wedding.core.spreadsheets import spreadsheet_safe
from wedding.messaging.rendering import site_url

QR_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
ENVELOPE_COLUMNS = ["addressee", "household", "mailing_address", "email", "invitation_link", "code"]


@dataclass(frozen=True)
class EnvelopeRow:
    household: Household
    addressee: str
    address: str
    link: str


def addressee_line(household: Household, guests: list[Guest]) -> str:
    """The formal line on the envelope: “Ana and Ben Ruiz”, “Ana Ruiz and Ben Soto”, “The Ruiz Family”.

    Households with children or more than two adults are addressed as a family
    (by the shared last name, else by the household's own name).
    """
    adults = [g for g in guests if g.age_group == Guest.AgeGroup.ADULT and not g.is_plus_one]
    last_names = {g.last_name for g in adults if g.last_name}
    if adults and len(adults) <= 2 and len(adults) == len(guests):
        if len(last_names) == 1:
            return f"{get_text_list([g.first_name for g in adults], 'and')} {next(iter(last_names))}"
        return get_text_list([g.full_name for g in adults], "and")
    if len(last_names) == 1:
        return f"The {next(iter(last_names))} Family"
    return household.name


def household_link(household: Household) -> str:
    return site_url(reverse("guests:invitation", args=[household.invitation_code]))


def envelope_rows(*, wedding) -> Iterator[EnvelopeRow]:
    households = Household.objects.filter(wedding=wedding).prefetch_related("guests").order_by("name")
    for household in households:
        guests = list(household.guests.all())
        yield EnvelopeRow(household=household, addressee=addressee_line(household, guests),
                          address=household.address.strip(), link=household_link(household))


def envelopes_csv(*, wedding) -> bytes:
    """One row per household (UTF-8 with a BOM so Excel reads accents), formula-safe cells."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ENVELOPE_COLUMNS)
    for row in envelope_rows(wedding=wedding):
        writer.writerow([spreadsheet_safe(v) for v in (
            row.addressee, row.household.name, row.address, row.household.email, row.link,
            row.household.invitation_code,
        )])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def household_qr(*, household: Household, fmt: str) -> tuple[bytes, str]:
    """The household's personal link as a QR code (PNG or SVG) for printed inserts."""
    if fmt not in QR_TYPES:
        raise ValueError(f"Unknown format {fmt!r}: png or svg.")
    import segno  # imported when a card is printed, not at every process start

    code = segno.make(household_link(household), error="m")
    out = io.BytesIO()
    code.save(out, kind=fmt, scale=6 if fmt == "png" else 4, border=2)
    return out.getvalue(), QR_TYPES[fmt]
