"""Who plans the wedding: the team page, the co-planner's invitation link, and self-serve sign-up.

The team page and its confirmations are dashboard pages (behind the admin's
login). Following an invitation link and signing up are public pages of the
admin site (the visitor may have no account yet); both are throttled like the
other public forms. Writes are `wedding.core.services`.
"""

from __future__ import annotations

import functools
import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import authenticate, get_user_model, login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from realtime import live
from realtime.live import error_text, page_context, planner_view, planner_viewer
from wedding.core import services
from wedding.core.models import PlannerInvitation, Wedding
from wedding.core.throttle import throttle_hit
from wedding.proxy import client_address

# Password attempts on one invitation link, and sign-ups from one address, per hour.
JOIN_ATTEMPTS_PER_HOUR = 10
SIGNUPS_PER_ADDRESS_HOUR = 5


# --- the team page ----------------------------------------------------------------------


class InviteForm(forms.Form):
    email = forms.EmailField(label="Co-planner's email", max_length=254)


@planner_view
def planners_page(request: HttpRequest, wedding: Wedding) -> HttpResponse:
    """The wedding's planners and pending invitations (live), and the form to invite one more."""
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            services.planner_invite(
                wedding=wedding, email=email, invited_by=request.user,
                link_for=lambda token: request.build_absolute_uri(reverse("admin:planner-join", args=[token])),
            )
        except ValidationError as exc:
            form.add_error("email", exc)
        else:
            messages.success(
                request, f"Invitation sent to {email}. The link works once, for {services.INVITE_TTL.days} days."
            )
            return HttpResponseRedirect(reverse("admin:dashboard-planners", args=[wedding.pk]))
    context = page_context(
        request, wedding, title="Planners", section="planners", form=form, invite_days=services.INVITE_TTL.days
    )
    context["team"] = live.render_region("dash_planners", planner_viewer(wedding))
    return render(request, "admin/dashboard/planners.html", context, status=422 if form.errors else 200)


def team_context(wedding: Wedding) -> dict:
    """The planners (oldest first) and the invitations not yet accepted. Two queries."""
    return {
        "planners": list(wedding.planners.order_by("pk")),
        "invitations": list(
            PlannerInvitation.objects.for_wedding(wedding).filter(accepted_at__isnull=True)
            .select_related("invited_by")
        ),
    }


def _team_crumb(wedding: Wedding) -> dict:
    """The breadcrumb back to the team page, for its confirmation pages."""
    return {"parent_url": reverse("admin:dashboard-planners", args=[wedding.pk]), "parent_label": "Planners"}


@planner_view
def planner_remove_page(request: HttpRequest, wedding: Wedding, user_id: int) -> HttpResponse:
    planner = get_object_or_404(wedding.planners.all(), pk=user_id)
    name = planner.get_full_name() or planner.get_username()
    error = None
    if request.method == "POST":
        try:
            services.planner_remove(wedding=wedding, planner=planner, user=request.user)
        except ValidationError as exc:
            error = error_text(exc)
        else:
            if planner.pk == request.user.pk:
                messages.success(request, f"You no longer plan {wedding.name}.")
                return HttpResponseRedirect(reverse("admin:index"))
            messages.success(request, f"{name} no longer plans {wedding.name}.")
            return HttpResponseRedirect(reverse("admin:dashboard-planners", args=[wedding.pk]))
    question = "Leave" if planner.pk == request.user.pk else f"Remove {name} from"
    context = page_context(
        request, wedding, title=f"{question} {wedding.name}?", section="planners", error=error,
        explanation=(
            f"{name} will no longer see or change anything of {wedding.name}; their open pages of it "
            "close at once. Their other weddings are not affected."
        ),
        confirm_label="Leave the wedding" if planner.pk == request.user.pk else "Remove this planner",
        **_team_crumb(wedding),
    )
    return render(request, "admin/dashboard/planners_confirm.html", context, status=422 if error else 200)


@planner_view
def invitation_cancel_page(request: HttpRequest, wedding: Wedding, invitation_id: int) -> HttpResponse:
    invitation = get_object_or_404(
        PlannerInvitation.objects.for_wedding(wedding).filter(accepted_at__isnull=True), pk=invitation_id
    )
    if request.method == "POST":
        services.planner_invitation_cancel(wedding=wedding, invitation_id=invitation.pk, user=request.user)
        messages.success(request, f"The invitation to {invitation.email} was withdrawn; its link no longer works.")
        return HttpResponseRedirect(reverse("admin:dashboard-planners", args=[wedding.pk]))
    context = page_context(
        request, wedding, title=f"Withdraw the invitation to {invitation.email}?", section="planners",
        explanation="The link in the email stops working. You can invite them again later.",
        confirm_label="Withdraw the invitation", error=None, **_team_crumb(wedding),
    )
    return render(request, "admin/dashboard/planners_confirm.html", context)


# --- following an invitation link (public) ------------------------------------------------


class NewPasswordForm(forms.Form):
    """A new password typed twice, checked by the project's validators against the account it will guard."""

    password1 = forms.CharField(
        label="Choose a password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password2 = forms.CharField(
        label="The password again", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def account(self, cleaned: dict):
        """The (unsaved) account the password is for, so validators can compare it with the name and email."""
        raise NotImplementedError

    def clean(self) -> dict:
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            try:
                validate_password(first, self.account(cleaned))
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class NewPlannerForm(NewPasswordForm):
    first_name = forms.CharField(label="Your first name", max_length=150)
    last_name = forms.CharField(label="Your last name", max_length=150, required=False)
    field_order = ["first_name", "last_name", "password1", "password2"]

    def __init__(self, *args, email: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def account(self, cleaned: dict):
        return get_user_model()(username=self.email, email=self.email, first_name=cleaned.get("first_name", ""))


class ExistingPlannerForm(forms.Form):
    password = forms.CharField(label="Your password", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


def _public_context(request: HttpRequest, title: str, **extra) -> dict:
    return {**admin.site.each_context(request), "title": title, **extra}


@never_cache
@sensitive_post_parameters("password", "password1", "password2")
def join_page(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation link: accept as the signed-in user, with the account's password, or with a new account."""
    check = services.invitation_for_token(token)
    if check.state is not services.LinkState.VALID:
        context = _public_context(
            request, "This invitation cannot be used", problem=services.LINK_PROBLEMS[check.state],
            state=check.state.value,
        )
        return render(request, "admin/dashboard/planner_join.html", context, status=410 if check.invitation else 404)
    invitation = check.invitation
    wedding = invitation.wedding
    signed_in = request.user.is_authenticated and request.user.is_active
    existing = None if signed_in else services.user_with_email(invitation.email)
    form_class = None if signed_in else (ExistingPlannerForm if existing else NewPlannerForm)
    form = None
    if form_class is NewPlannerForm:
        form = NewPlannerForm(request.POST or None, email=invitation.email)
    elif form_class is ExistingPlannerForm:
        form = ExistingPlannerForm(request.POST or None)
    error = None
    if request.method == "POST":
        if not throttle_hit(
            scope="planner-join", subject=f"{invitation.pk}|{client_address(request)}",
            limit=JOIN_ATTEMPTS_PER_HOUR, window=3600,
        ):
            error = "Too many attempts with this link: please wait an hour and try again."
        elif form is None or form.is_valid():
            try:
                user = _joining_user(request, invitation, existing, form)
                services.planner_invitation_accept(invitation=invitation, user=user)
            except ValidationError as exc:
                error = error_text(exc)
            else:
                if not signed_in:
                    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome! You now plan {wedding.name}.")
                return HttpResponseRedirect(reverse("admin:dashboard", args=[wedding.pk]))
    context = _public_context(
        request, f"Plan {wedding.name}", invitation=invitation, wedding=wedding, form=form,
        existing=existing, signed_in=signed_in, error=error, state="valid",
    )
    failed = request.method == "POST" and (error or (form is not None and form.errors))
    return render(request, "admin/dashboard/planner_join.html", context, status=422 if failed else 200)


def _joining_user(request: HttpRequest, invitation: PlannerInvitation, existing, form):
    """Who accepts: the signed-in user, the invitee's account (password checked), or a new account."""
    if request.user.is_authenticated:
        return request.user
    if existing is not None:
        user = authenticate(request, username=existing.get_username(), password=form.cleaned_data["password"])
        if user is None:
            raise ValidationError("That is not the password of this account.")
        return user
    data = form.cleaned_data
    return services.planner_account_create(
        email=invitation.email, password=data["password1"], first_name=data["first_name"],
        last_name=data["last_name"],
    )


# --- self-serve sign-up (public, CONFETTI_SIGNUP=true) ----------------------------------------


@functools.cache  # the zones installed do not change while the process runs; reading them takes ~6 ms
def _zone_choices() -> tuple[tuple[str, str], ...]:
    return tuple((z, z.replace("_", " ")) for z in sorted(zoneinfo.available_timezones()) if "/" in z or z == "UTC")


class ZoneSelect(forms.Select):
    """The ~550 time zones as one `<select>`, each option formatted in Python.

    The same markup as Django's `Select`, whose template include per option took 63 ms
    to render this list (5.6 ms here), and several times that under the test client's
    template instrumentation.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "\n", '  <option value="{}"{}>{}</option>',
            ((key, " selected" if str(key) in chosen else "", label) for key, label in self.choices),
        )
        return format_html("<select{}>\n{}\n</select>", flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name})), options)


class SignupForm(NewPasswordForm):
    partner_a_name = forms.CharField(label="Your first name", max_length=100)
    partner_b_name = forms.CharField(label="Your partner's first name", max_length=100)
    date = forms.DateField(label="Wedding date", widget=forms.DateInput(attrs={"type": "date"}))
    time_zone = forms.ChoiceField(label="Time zone of the wedding", initial="Europe/Madrid", widget=ZoneSelect)
    email = forms.EmailField(label="Your email (you sign in with it)", max_length=254)
    field_order = ["partner_a_name", "partner_b_name", "date", "time_zone", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = _zone_choices()

    def account(self, cleaned: dict):
        email = cleaned.get("email", "")
        return get_user_model()(username=email, email=email, first_name=cleaned.get("partner_a_name", ""))


@never_cache
@sensitive_post_parameters("password1", "password2")
def signup_page(request: HttpRequest) -> HttpResponse:
    """A couple creates their account and their first wedding, and lands on its dashboard. 404 unless enabled."""
    if not services.signup_enabled():
        raise Http404("Sign-up is not open on this site.")
    form = SignupForm(request.POST or None)
    error = None
    status = 200
    if request.method == "POST":
        if not throttle_hit(
            scope="planner-signup", subject=client_address(request), limit=SIGNUPS_PER_ADDRESS_HOUR, window=3600
        ):
            error, status = "Too many sign-ups from your network: please try again in an hour.", 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                wedding = services.wedding_signup(
                    email=data["email"], password=data["password1"], partner_a_name=data["partner_a_name"],
                    partner_b_name=data["partner_b_name"], date=data["date"], time_zone=data["time_zone"],
                )
            except ValidationError as exc:
                error, status = error_text(exc), 422
            else:
                user = wedding.planners.get()
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome to Confetti! {wedding.name} is ready: add your events and guests.")
                return HttpResponseRedirect(reverse("admin:dashboard", args=[wedding.pk]))
        else:
            status = 422
    context = _public_context(request, "Plan your wedding with Confetti", form=form, error=error)
    return render(request, "admin/dashboard/signup.html", context, status=status)

