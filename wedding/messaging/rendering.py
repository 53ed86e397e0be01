"""Turning a message's subject and body into one household's email.

The planner writes Django template text with placeholders. It is rendered by
an engine of its own (no template loaders, so `{% include %}` and
`{% extends %}` reach no file) over a context of plain strings only, so a
template can print what the placeholders say and nothing else. The HTML part
is rendered with autoescape on (every value escaped, a guest named
`<script>` stays text); the text part and the subject with it off.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

from wedding.core.i18n import guest_language, reading_as, translated

PLACEHOLDERS = {
    "greeting": "“Dear Ana and Ben”",
    "guest_names": "every guest of the household",
    "household": "the household's name",
    "link": "the household's personal invitation link",
    "rsvp_deadline": "the RSVP deadline",
    "events": "the events the household is invited to, one a line",
    "table": "their table(s), once seating is published",
    "wedding": "the wedding's name",
    "address_link": "the page where the household confirms its mailing address",
}

_UNSUBSCRIBE_SALT = "confetti.messaging.unsubscribe"

_text_engine = Engine(autoescape=False, dirs=[], app_dirs=False, loaders=[])
_html_engine = Engine(autoescape=True, dirs=[], app_dirs=False, loaders=[])


class TemplateError(ValidationError):
    """The planner's subject or body cannot be rendered (the message says why)."""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    unsubscribe_url: str


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token(household_id: int) -> str:
    """Unguessable without SECRET_KEY; needs no login and no stored secret."""
    return signing.Signer(salt=_UNSUBSCRIBE_SALT).sign(str(household_id))


def household_for_unsubscribe_token(token: str) -> int | None:
    try:
        return int(signing.Signer(salt=_UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def household_context(household, *, wedding) -> dict[str, str]:
    """Placeholder values for one household, all plain strings.

    Expects `household` with `guests` prefetched together with their
    invitations (event) and seats (table) — see `households_for_rendering`.
    """
    guests = list(household.guests.all())
    # In the household's language (dates, "Dear", event and table words) and the wedding's zone.
    with reading_as(wedding, household):
        deadline = (
            formats.date_format(timezone.localtime(wedding.rsvp_deadline), "DATETIME_FORMAT")
            if wedding.rsvp_deadline else ""
        )
        events = {}
        for guest in guests:
            for invitation in guest.invitations.all():
                event = invitation.event
                when = formats.date_format(timezone.localtime(event.starts_at), "DATETIME_FORMAT")
                venue = translated(event, "venue")
                events[event.pk] = (event.order, event.starts_at, f"{translated(event, 'name')} — {when}"
                                    + (f", {venue}" if venue else ""))
        tables: list[str] = []
        if wedding.seating_published:
            for guest in guests:
                for seat in guest.seats.all():
                    label = f"{seat.table.name} ({translated(seat.event, 'name')})"
                    if label not in tables:
                        tables.append(label)
        greeting = _("Dear %(names)s") % {"names": household.greeting_name}
        guest_names = get_text_list([g.full_name for g in guests], _("and"))
    return {
        "greeting": greeting,
        "guest_names": guest_names,
        "household": household.name,
        "link": site_url(reverse("guests:invitation", args=[household.invitation_code])),
        "rsvp_deadline": deadline,
        "events": "\n".join(text for *_key, text in sorted(events.values())),
        "table": ", ".join(tables),
        "wedding": wedding.name,
        "address_link": site_url(reverse("messaging:address")),
    }


def sample_context(wedding) -> dict[str, str]:
    """What a template is checked against when it is saved."""
    return {name: f"[{name}]" for name in PLACEHOLDERS} | {"wedding": wedding.name if wedding else ""}


@functools.lru_cache(maxsize=64)
def _compiled(engine: Engine, source: str):
    # A send renders the same subject and body for every household: parse once.
    return engine.from_string(source)


def _render(engine: Engine, source: str, context: dict) -> str:
    try:
        return _compiled(engine, source).render(Context(context, autoescape=engine.autoescape))
    except TemplateSyntaxError as error:
        raise TemplateError(f"The template has an error: {error}") from error
    except Exception as error:  # {% include %} of a file, a bad filter argument…
        raise TemplateError(f"The template cannot be rendered: {error}") from error


def check_template(source: str, *, wedding=None) -> None:
    """Raise TemplateError unless `source` renders in both parts."""
    context = sample_context(wedding)
    _render(_text_engine, source, context)
    _render(_html_engine, source, context)


def render_subject(source: str, context: dict[str, str]) -> str:
    # A header is one line: a newline in a value must not start a new header.
    return " ".join(_render(_text_engine, source, context).split())[:300]


def render_email(*, message, household, wedding, context: dict[str, str] | None = None) -> RenderedEmail:
    """The subject, text part and HTML part of `message` for `household`."""
    context = context or household_context(household, wedding=wedding)
    unsubscribe_url = site_url(reverse("messaging:unsubscribe", args=[unsubscribe_token(household.pk)]))
    language = guest_language(wedding, household)  # the couple's words in it, if they wrote them
    subject = render_subject(translated(message, "subject", language), context)
    body = translated(message, "body", language)
    text_body = _render(_text_engine, body, context)
    html_context = {
        **context,
        # The link is the one value that is HTML in the HTML part: an anchor around the escaped URL.
        "link": format_html('<a href="{0}">{0}</a>', context["link"]),
    }
    html_body = linebreaks(_render(_html_engine, body, html_context), autoescape=False)
    common = {
        "wedding": wedding.name, "essential": message.essential, "unsubscribe_url": unsubscribe_url,
        "link": context["link"],
    }
    with reading_as(wedding, household):  # the frame around the planner's words, in the household's language
        text = render_to_string("messaging/email.txt", {**common, "body": text_body})
        html = render_to_string("messaging/email.html", {**common, "body": mark_safe(html_body), "subject": subject})
    return RenderedEmail(subject=subject, text=text, html=html, unsubscribe_url=unsubscribe_url)
