"""Who plans a wedding: co-planner invitations, removing a planner, and a couple starting their own wedding.

Invitation links are signed (django.core.signing, a salt of their own and an
age limit) and name one `PlannerInvitation` row; the row, read under its lock,
says whether the link was already used. Emails go out after the caller's
transaction commits, like every transactional email of the product.
"""

from __future__ import annotations

import datetime
import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from wedding.core.models import PlannerInvitation, Wedding
from wedding.core.throttle import throttle_hit

logger = logging.getLogger(__name__)

INVITE_SALT = "confetti.planner-invitation"
# An invitation outlives a week's holiday, not a season.
INVITE_TTL = datetime.timedelta(days=7)
# Invitations one wedding may send an hour: a team is a handful of people, not a mailing list.
INVITES_PER_WEDDING_HOUR = 20


def normalise_email(email: str) -> str:
    """The address as typed, trimmed, with its domain lower-cased; ValidationError when it is no address."""
    email = (email or "").strip()
    validate_email(email)
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def user_with_email(email: str):
    """The (oldest) account with this address, or None; addresses compare case-insensitively."""
    return get_user_model().objects.filter(email__iexact=email, is_active=True).order_by("pk").first()


# --- inviting -------------------------------------------------------------------------


def planner_invite(
    *, wedding: Wedding, email: str, invited_by, link_for: Callable[[str], str]
) -> PlannerInvitation:
    """Invite `email` to plan `wedding` with `invited_by` (one of its planners); the link is mailed on commit.

    A new invitation to the same address replaces a pending one (its link
    stops working). Refuses (ValidationError) an address that is no address or
    already plans the wedding, and past INVITES_PER_WEDDING_HOUR.
    `link_for(token)` builds the absolute URL.
    """
    Wedding.objects.check_planner(invited_by, wedding.pk, system_allowed=False)
    try:
        email = normalise_email(email)
    except ValidationError:
        raise ValidationError("Enter the co-planner's email address (for example ana@example.com).") from None
    if wedding.planners.filter(email__iexact=email).exists():
        raise ValidationError(f"{email} already plans {wedding.name}.")
    if not throttle_hit(
        scope="planner-invite", subject=str(wedding.pk), limit=INVITES_PER_WEDDING_HOUR, window=3600
    ):
        raise ValidationError("That is a lot of invitations for one hour: please try again later.")
    with transaction.atomic():
        PlannerInvitation.objects.filter(
            wedding=wedding, email__iexact=email, accepted_at__isnull=True
        ).delete()
        invitation = PlannerInvitation.objects.create(
            wedding=wedding, email=email, invited_by=invited_by, expires_at=timezone.now() + INVITE_TTL
        )
        message = _invitation_email(invitation, link=link_for(invitation_token(invitation)))
        transaction.on_commit(lambda: _send(message))
    return invitation


def invitation_token(invitation: PlannerInvitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITE_SALT)


def _invitation_email(invitation: PlannerInvitation, *, link: str) -> EmailMessage:
    inviter = invitation.invited_by
    body = render_to_string(
        "wedding/planner_invitation_email.txt",
        {
            "wedding": invitation.wedding, "link": link, "expires_at": invitation.expires_at,
            "inviter": (inviter.get_full_name() or inviter.get_username()) if inviter else "A planner",
            "has_account": user_with_email(invitation.email) is not None,
        },
    )
    return EmailMessage(
        subject=f"Help plan {invitation.wedding.name} on Confetti", body=body, to=[invitation.email]
    )


def _send(message: EmailMessage) -> bool:
    try:
        return bool(message.send())
    except Exception:  # noqa: BLE001 - the invitation is saved; the planner can send it again
        logger.warning("planner invitation to %s not sent", message.to, exc_info=True)
        return False


def planner_invitation_cancel(*, wedding: Wedding, invitation_id: int, user) -> bool:
    """Withdraw a pending invitation (its link then leads nowhere). False when there was none to withdraw."""
    Wedding.objects.check_planner(user, wedding.pk, system_allowed=False)
    deleted, _ = PlannerInvitation.objects.filter(
        wedding=wedding, pk=invitation_id, accepted_at__isnull=True
    ).delete()
    return bool(deleted)


# --- following the link -----------------------------------------------------------------


class LinkState(enum.Enum):
    VALID = "valid"
    INVALID = "invalid"  # tampered with, cut short, or withdrawn
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True)
class LinkCheck:
    state: LinkState
    invitation: PlannerInvitation | None = None


def invitation_for_token(token: str) -> LinkCheck:
    """What a link leads to: a valid invitation, or why not (invalid, expired, used). Reads only."""
    try:
        pk = signing.loads(token, salt=INVITE_SALT, max_age=INVITE_TTL)
    except signing.SignatureExpired:
        return LinkCheck(LinkState.EXPIRED)
    except signing.BadSignature:
        return LinkCheck(LinkState.INVALID)
    invitation = PlannerInvitation.objects.select_related("wedding", "invited_by").filter(pk=pk).first()
    return _check(invitation)


def _check(invitation: PlannerInvitation | None) -> LinkCheck:
    if invitation is None:
        return LinkCheck(LinkState.INVALID)
    if invitation.accepted_at is not None:
        return LinkCheck(LinkState.USED, invitation)
    if invitation.expires_at <= timezone.now():
        return LinkCheck(LinkState.EXPIRED, invitation)
    return LinkCheck(LinkState.VALID, invitation)


def planner_invitation_accept(*, invitation: PlannerInvitation, user) -> Wedding:
    """`user` accepts the invitation: they plan its wedding from now on (and may use the admin).

    Once only: the invitation is re-read under its row lock, so of two clicks
    racing exactly one wins; the other gets ValidationError, as does a link
    that expired or was withdrawn meanwhile.
    """
    with transaction.atomic():
        locked = PlannerInvitation.objects.select_for_update().filter(pk=invitation.pk).first()
        check = _check(locked)
        if check.state is not LinkState.VALID:
            raise ValidationError(LINK_PROBLEMS[check.state])
        if not user.is_staff:
            user.is_staff = True  # the planners' pages are the admin's
            user.save(update_fields=["is_staff"])
        wedding = Wedding.objects.get(pk=locked.wedding_id)
        wedding.planners.add(user)
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
    return wedding


LINK_PROBLEMS = {
    LinkState.INVALID: "This invitation link is not valid: it may have been withdrawn, replaced by a newer "
    "one, or copied incompletely.",
    LinkState.EXPIRED: "This invitation has expired. Ask the planner who invited you to send a new one.",
    LinkState.USED: "This invitation was already accepted. Sign in to plan the wedding.",
}


def planner_account_create(*, email: str, password: str, first_name: str = "", last_name: str = ""):
    """A new planner's account (staff, no superuser powers), signed in by its email address.

    The caller has validated the password (the project's validators). Refuses
    an address that already has an account: its owner signs in instead.
    """
    email = normalise_email(email)
    if user_with_email(email) is not None or get_user_model().objects.filter(username__iexact=email).exists():
        raise ValidationError("An account with this email address already exists: sign in instead.")
    user = get_user_model()(
        username=email[:150], email=email, first_name=first_name.strip()[:150],
        last_name=last_name.strip()[:150], is_staff=True,
    )
    user.set_password(password)
    user.save()
    return user


# --- removing a planner -------------------------------------------------------------------


def planner_remove(*, wedding: Wedding, planner, user) -> None:
    """`user` (a planner of `wedding`) takes `planner` off its team; never the last planner.

    Holds the wedding's row lock while counting, so two planners removing
    each other at once cannot leave the wedding with nobody. The removed
    planner's open pages lose the wedding (realtime closes their sockets).
    """
    Wedding.objects.check_planner(user, wedding.pk, system_allowed=False)
    with transaction.atomic():
        locked = Wedding.objects.select_for_update().get(pk=wedding.pk)
        team = list(locked.planners.order_by("pk").values_list("pk", flat=True))
        if planner.pk not in team:
            raise ValidationError(f"{planner.get_username()} does not plan {wedding.name}.")
        if len(team) == 1:
            raise ValidationError(
                f"{wedding.name} needs at least one planner: invite someone else before leaving."
            )
        locked.planners.remove(planner)


# --- a couple starting their wedding --------------------------------------------------------


def wedding_start(
    *, user, partner_a_name: str, partner_b_name: str, date: datetime.date, time_zone: str
) -> Wedding:
    """A new wedding for the couple `user`, who becomes its (first) planner. Used by self-serve sign-up."""
    a, b = partner_a_name.strip(), partner_b_name.strip()
    if not a or not b:
        raise ValidationError("Enter both partners' names.")
    wedding = Wedding(
        name=f"{a} & {b}"[:200], slug=_free_slug(f"{a}-{b}"), date=date, time_zone=time_zone,
        partner_a_name=a[:100], partner_b_name=b[:100],
    )
    wedding.full_clean()
    with transaction.atomic():
        wedding.save()
        wedding.planners.add(user)
    return wedding


def wedding_signup(
    *, email: str, password: str, partner_a_name: str, partner_b_name: str, date: datetime.date, time_zone: str
) -> Wedding:
    """Self-serve sign-up: the couple's account and their first wedding, both or neither."""
    with transaction.atomic():
        user = planner_account_create(email=email, password=password, first_name=partner_a_name)
        return wedding_start(
            user=user, partner_a_name=partner_a_name, partner_b_name=partner_b_name, date=date, time_zone=time_zone
        )


def _free_slug(text: str) -> str:
    """A slug for the wedding's site no other wedding uses: "ana-luis", then "ana-luis-2"…"""
    base = (slugify(text) or "wedding")[:70]
    taken = set(Wedding.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def signup_enabled() -> bool:
    return bool(getattr(settings, "CONFETTI_SIGNUP", False))

