"""The planner's messaging pages: compose (change form), then one page to preview, choose when,
send and watch delivery live (the outbox, per address, is shown there: the worker alone writes it);
opt-outs; paper (envelopes, QR codes)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from guests.models import Household
from realtime.live import Audience, Viewer, live_page_context
from wedding.core.admin_base import WeddingScopedAdmin, planned_weddings
from wedding.core.admin_translations import TranslatedAdminMixin, translated_form
from wedding.messaging import paper, rendering, services
from wedding.messaging.forms import PRESETS, BounceForm, MessageForm, ScheduleForm, TestSendForm
from wedding.messaging.models import Message, OptOut
from wedding.messaging.segments import households_for_rendering, segment_reach


@admin.register(Message)
class MessageAdmin(TranslatedAdminMixin, WeddingScopedAdmin):
    form = translated_form(Message, base=MessageForm)
    list_display = ["subject", "kind", "wedding", "status", "segment", "scheduled_for", "delivery"]
    list_filter = ["kind", "status"]
    search_fields = ["subject"]
    fieldsets = [
        (None, {"fields": ["wedding", "kind", "subject", "body", "essential"],
                "description": "Placeholders: " + ", ".join(
                    f"{{{{ {name} }}}} ({what})" for name, what in rendering.PLACEHOLDERS.items())}),
        ("Who", {"fields": ["segment", "segment_event", "segment_tag", "segment_side"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("wedding")

    def has_change_permission(self, request, obj=None) -> bool:
        # Sent or sending: the page stays readable, the text is what went out.
        return super().has_change_permission(request, obj) and (obj is None or obj.editable)

    @admin.display(description="delivery")
    def delivery(self, obj: Message) -> str:
        return format_html('<a href="{}">Preview, send and track</a>',
                           reverse("admin:messaging_message_send", args=[obj.pk]))

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        kind = request.GET.get("kind", Message.Kind.INVITATION)
        if kind in PRESETS:
            initial.setdefault("kind", kind)
            initial.setdefault("subject", PRESETS[kind][0])
            initial.setdefault("body", PRESETS[kind][1])
        return initial

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def _to_send_page(self, obj: Message) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:messaging_message_send", args=[obj.pk]))

    def response_add(self, request, obj, post_url_continue=None):
        if "_continue" in request.POST or "_addanother" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        return self._to_send_page(obj)

    def response_change(self, request, obj):
        if "_continue" in request.POST or "_addanother" in request.POST:
            return super().response_change(request, obj)
        return self._to_send_page(obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/send/", wrap(self.send_view), name="messaging_message_send"),
            path("paper/<int:wedding_id>/", wrap(self.paper_view), name="messaging_paper"),
            path("paper/<int:wedding_id>/envelopes.csv", wrap(self.envelopes_view), name="messaging_envelopes"),
            path("paper/<int:wedding_id>/qr/<int:household_id>.<str:fmt>", wrap(self.qr_view),
                 name="messaging_qr"),
            *super().get_urls(),
        ]

    # --- preview, send, track -------------------------------------------------------

    def send_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        message = get_object_or_404(self.get_queryset(request), pk=pk)
        wedding = message.wedding
        if request.method == "POST":
            return self._send_action(request, message)
        with timezone.override(wedding.time_zone):
            context = {
                **self.admin_site.each_context(request), "opts": self.model._meta,
                "title": f"{message.get_kind_display()}: {message.subject}", "message": message,
                "test_form": TestSendForm(wedding=wedding, initial={"to": request.user.email}),
                "schedule_form": ScheduleForm(),
                "bounce_form": BounceForm(message=message),
                **self._preview(request, message),
                **live_page_context(Viewer(wedding=wedding, audience=Audience.PLANNER)),
            }
            if message.editable:
                context["reach"] = segment_reach(message)
            return TemplateResponse(request, "admin/messaging/message/send.html", context)

    def _preview(self, request: HttpRequest, message: Message) -> dict[str, Any]:
        households = Household.objects.filter(wedding_id=message.wedding_id)
        chosen = request.GET.get("household", "")
        household = households.filter(pk=chosen).first() if chosen.isdigit() else households.order_by("name").first()
        if household is None:
            return {"preview_error": "Add a household to preview this message."}
        household = households_for_rendering(households.filter(pk=household.pk)).get()
        try:
            rendered = rendering.render_email(message=message, household=household, wedding=household.wedding)
        except rendering.TemplateError as error:
            return {"preview_error": " ".join(error.messages), "preview_household": household}
        return {"preview": rendered, "preview_household": household, "households": households.order_by("name")}

    def _send_action(self, request: HttpRequest, message: Message) -> HttpResponse:
        action = request.POST.get("action", "")
        wedding = message.wedding
        try:
            if action == "send":
                count = services.message_send(message=message, user=request.user)
                messages.success(request, f"Queued {count} emails; watch them go out below.")
            elif action == "schedule":
                form = ScheduleForm(request.POST)
                with timezone.override(wedding.time_zone):
                    valid = form.is_valid()
                if not valid:
                    raise ValidationError(" ".join(e for errs in form.errors.values() for e in errs))
                services.message_schedule(message=message, when=form.cleaned_data["when"], user=request.user)
                messages.success(request, "Scheduled. Whom it reaches is decided when it goes out.")
            elif action == "unschedule":
                services.message_unschedule(message=message, user=request.user)
                messages.success(request, "No longer scheduled; it is a draft again.")
            elif action == "retry":
                count = services.message_retry_failed(message=message, user=request.user)
                messages.success(request, f"Retrying {count} failed emails." if count else "Nothing failed.")
            elif action == "bounce":
                form = BounceForm(request.POST, message=message)
                if not form.is_valid():
                    raise ValidationError(" ".join(e for errs in form.errors.values() for e in errs))
                services.recipient_bounce(recipient=form.cleaned_data["recipient"], reason=form.cleaned_data["reason"],
                                          user=request.user)
                messages.success(request, f"Marked the email to {form.cleaned_data['recipient'].address} bounced.")
            elif action == "test":
                form = TestSendForm(request.POST, wedding=wedding)
                if not form.is_valid():
                    raise ValidationError(" ".join(e for errs in form.errors.values() for e in errs))
                services.message_send_test(message=message, household=form.cleaned_data["household"],
                                           to=form.cleaned_data["to"], user=request.user)
                messages.success(request, f"Test sent to {form.cleaned_data['to']}.")
            else:
                raise ValidationError("Unknown action.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(request.get_full_path())

    # --- paper ---------------------------------------------------------------------

    def _wedding(self, request: HttpRequest, wedding_id: int):
        wedding = planned_weddings(request).filter(pk=wedding_id).first()
        if wedding is None or not self.has_view_permission(request):
            raise Http404("No such wedding.")
        return wedding

    def paper_view(self, request: HttpRequest, wedding_id: int) -> HttpResponse:
        wedding = self._wedding(request, wedding_id)
        households = list(paper.envelope_rows(wedding=wedding))
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "wedding": wedding,
            "title": f"Paper invitations: {wedding.name}", "rows": households,
            "missing": [row for row in households if not row.address],
        }
        return TemplateResponse(request, "admin/messaging/message/paper.html", context)

    def envelopes_view(self, request: HttpRequest, wedding_id: int) -> HttpResponse:
        wedding = self._wedding(request, wedding_id)
        response = HttpResponse(paper.envelopes_csv(wedding=wedding), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="envelopes-{wedding.slug}.csv"'
        return response

    def qr_view(self, request: HttpRequest, wedding_id: int, household_id: int, fmt: str) -> HttpResponse:
        wedding = self._wedding(request, wedding_id)
        household = get_object_or_404(Household, pk=household_id, wedding=wedding)
        try:
            content, content_type = paper.household_qr(household=household, fmt=fmt)
        except ValueError as error:
            raise Http404(str(error)) from None
        return HttpResponse(content, content_type=content_type)


@admin.register(OptOut)
class OptOutAdmin(WeddingScopedAdmin):
    """Households that asked for no more messages; deleting a row subscribes them again."""

    list_display = ["household", "wedding", "created_at"]
    fields = ["wedding", "household"]
