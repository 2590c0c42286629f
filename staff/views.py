"""The admin's per-event pages: confirm a change that emails people,
duplicate, publish, cancel, email registrants, register by phone, export.
Each checks a permission, calls one service and redirects with a message."""

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from core.templatetags.govuk_dates import event_when, govuk_datetime
from emails.rendering import render_email
from events import services
from events.models import Event, EventStatus, Registration, RegistrationStatus

from . import exports
from .forms import (
    DuplicateEventForm,
    EmailRegistrantsForm,
    PhoneRegistrationForm,
    ScheduleSeriesForm,
)

FIELD_LABELS = {
    "starts_at": "Starts",
    "ends_at": "Ends",
    "format": "Format",
    "venue_name": "Venue",
    "address": "Address",
    "online_joining_url": "Joining link",
    "online_joining_details": "Dial-in and other joining details",
}


def load_event(request, object_id, *, perm: str) -> Event:
    """The event with its counts, for a user who holds `events.<perm>`."""
    if not request.user.has_perm(f"events.{perm}"):
        raise PermissionDenied
    event = Event.objects.with_attendance().filter(pk=object_id).first()
    if event is None:
        raise Http404("No such event")
    return event


def render(model_admin, request, template: str, *, event: Event | None = None, **context):
    return TemplateResponse(
        request,
        f"admin/events/event/{template}",
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "event": event,
            "original": event,
            **context,
        },
    )


def posted_fields(post, *, leave_out=("csrfmiddlewaretoken",)) -> list[tuple[str, str]]:
    """Everything a form sent, to send again from a confirmation page."""
    return [
        (name, value) for name, values in post.lists() if name not in leave_out for value in values
    ]


def confirmed(request) -> bool:
    """Whether this POST comes from a confirmation page's Yes button
    (_confirm_form.html), not from the form before it."""
    return request.POST.get("_confirmed") == "yes"


def ask_first(model_admin, request, template: str, *, yes: str, **context):
    """A confirmation page (_action_confirmation.html and _confirm_form.html):
    what will happen, then `yes` to send the same form again, confirmed."""
    return render(
        model_admin, request, template, yes=yes, fields=posted_fields(request.POST), **context
    )


def _people(number: int) -> str:
    return f"{number} {'person' if number == 1 else 'people'}"


def person_counts(event: Event) -> dict[str, int]:
    """Confirmed, waiting and attended for one event, in one query."""
    return Registration.objects.filter(event=event).aggregate(
        confirmed=Count("pk", filter=Q(status=RegistrationStatus.CONFIRMED)),
        waiting=Count("pk", filter=Q(status=RegistrationStatus.WAITING)),
        attended=Count(
            "pk", filter=Q(status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=False)
        ),
    )


# Saving the event form --------------------------------------------------------


def confirm_change(model_admin, request, object_id):
    """Before saving a change that emails people (a new time or place for a
    published event) or leaves more people confirmed than places: a page
    that says what will happen to how many people. None: nothing to ask."""
    event = model_admin.get_object(request, unquote(object_id))
    if event is None or not model_admin.has_change_permission(request, event):
        return None
    before = {name: getattr(event, name) for name in FIELD_LABELS}
    form = model_admin.get_form(request, event, change=True)(
        request.POST, request.FILES, instance=event
    )
    if not form.is_valid():
        return None
    changed = [name for name in FIELD_LABELS if name in form.changed_data]
    counts = person_counts(event)
    # A new joining link or dial-in goes to people with a place only
    # (events.services.change_event): the waiting list cannot join yet.
    joining_only = bool(changed) and all(name in services.JOINING_FIELDS for name in changed)
    notify = event.status == EventStatus.PUBLISHED and bool(changed)
    overbooked = form.cleaned_data["capacity"] < counts["confirmed"]
    if not notify and not overbooked:
        return None
    emailed = counts["confirmed"] + (0 if joining_only else counts["waiting"])
    return ask_first(
        model_admin,
        request,
        "change_confirmation.html",
        yes=f"Yes, save and email {_people(emailed)}" if notify else "Yes, save",
        event=event,
        title="Check before you save",
        changes=[
            (FIELD_LABELS[name], _shown(before[name]), _shown(form.cleaned_data[name]))
            for name in changed
        ],
        notify=notify,
        emailed=emailed,
        joining_only=joining_only,
        counts=counts,
        overbooked=overbooked,
        new_capacity=form.cleaned_data["capacity"],
    )


def _shown(value) -> str:
    if hasattr(value, "tzinfo"):
        return govuk_datetime(value)
    return str(value) if value not in (None, "") else "(blank)"


# Duplicate, publish, cancel ---------------------------------------------------


def duplicate_view(model_admin, request, object_id):
    event = load_event(request, object_id, perm="add_event")
    form = DuplicateEventForm(request.POST if request.method == "POST" else None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.duplicate_event(
                event,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            copy = outcome.copy
            said = f"“{copy.title}” on {govuk_datetime(copy.starts_at)}"
            if outcome.created:
                messages.success(
                    request,
                    f"{said} is a draft copy. Check it, then publish it with the Publish button.",
                )
            else:
                messages.warning(request, f"{said} {ALREADY_MADE_ONE}")
            return redirect("admin:events_event_change", copy.pk)
    return render(
        model_admin,
        request,
        "duplicate.html",
        event=event,
        title=f"Duplicate {event.title}",
        form=form,
        adminform=helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
    )


def series_view(model_admin, request, object_id):
    """Schedule a series: the form, then a page listing the dates, then the
    drafts, all made in one go."""
    event = load_event(request, object_id, perm="add_event")
    form = ScheduleSeriesForm(request.POST if request.method == "POST" else None, event=event)
    context = {"event": event, "title": f"Schedule a series of {event.title}", "form": form}
    if request.method == "POST" and form.is_valid():
        if not confirmed(request):
            dates = form.cleaned_data["dates"]
            return ask_first(
                model_admin,
                request,
                "series_confirmation.html",
                yes=f"Yes, make {len(dates)} draft event{'s' if len(dates) != 1 else ''}",
                dates=dates,
                **context,
            )
        try:
            outcome = services.schedule_series(event, dates=form.cleaned_data["dates"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _say_what_the_series_made(request, event, outcome)
            return redirect(reverse("admin:events_event_changelist") + "?status__exact=draft")
    return render(
        model_admin,
        request,
        "series.html",
        adminform=helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
        **context,
    )


# A confirmation sent twice (a double click, a page resent on a slow
# connection, back and send again) finds the copies made the first time
# and makes none again (events.services.duplicate_event, schedule_series).
ALREADY_MADE_ONE = "was made already, so no second copy was made: this is the one made before."
ALREADY_MADE_ALL = "These copies were made already, so nothing new was made:"
ALREADY_MADE_SOME = "These copies were made already, so they were not made again:"


def _say_what_the_series_made(request, event: Event, outcome: services.SeriesOutcome) -> None:
    made, already = outcome.made, outcome.already_made
    if len(made) == 1:
        messages.success(
            request,
            f"1 draft copy of “{event.title}” made, on {govuk_datetime(made[0].starts_at)}. "
            "Check it, then publish it (select it and choose Publish).",
        )
    elif made:
        messages.success(
            request,
            f"{len(made)} draft copies of “{event.title}” made, from "
            f"{govuk_datetime(made[0].starts_at)} to {govuk_datetime(made[-1].starts_at)}. "
            "Check them, then publish them (select them and choose Publish).",
        )
    if already:
        said = ALREADY_MADE_SOME if made else ALREADY_MADE_ALL
        messages.warning(request, format_html("{} {}.", said, _links_to(already)))


def _links_to(events: list[Event]):
    """Each event's start, linked to its page in the admin."""
    return format_html_join(
        ", ",
        '<a href="{}">{}</a>',
        (
            (reverse("admin:events_event_change", args=[event.pk]), govuk_datetime(event.starts_at))
            for event in events
        ),
    )


def publish_view(model_admin, request, object_id):
    event = load_event(request, object_id, perm="change_event")
    return model_admin._confirm(
        request,
        "publish_selected_confirmation.html",
        title="Publish events",
        queryset=[event],
    )


def cancel_view(model_admin, request, object_id):
    event = load_event(request, object_id, perm="change_event")
    return model_admin._confirm(request, **cancel_context([event]))


def cancel_context(queryset) -> dict:
    events = list(queryset)
    chosen = {event.pk for event in events}
    return {
        "template": "cancel_selected_confirmation.html",
        "title": "Cancel events",
        "queryset": events,
        "confirmed": sum(event.confirmed_count for event in events),
        "waiting": sum(event.waiting_count for event in events),
        "other_events": [
            event
            for event in Event.objects.published().upcoming().order_by("starts_at", "pk")
            if event.pk not in chosen
        ],
    }


def cancellation_message(post) -> str:
    """The message staff typed, and the other date they chose to offer."""
    # Not a form field, whose validator refuses a NUL: PostgreSQL would.
    message = post.get("message", "").replace("\x00", "").strip()
    other = post.get("other_event", "")
    is_id = other.isascii() and other.isdigit()  # not "²", which int() refuses
    event = Event.objects.published().filter(pk=other).first() if is_id else None
    if event is not None:
        url = settings.SITE_URL + event.get_absolute_url()
        offer = (
            f"You can register for another date instead: {event.title}, "
            f"{event_when(event.starts_at, event.ends_at)}: {url}"
        )
        message = f"{message}\n\n{offer}" if message else offer
    return message


# Email registrants --------------------------------------------------------------


def email_view(model_admin, request, object_id):
    """Write, preview, then send: nothing goes until the preview's button."""
    event = load_event(request, object_id, perm="change_event")
    if not request.user.has_perm("events.view_registration"):
        raise PermissionDenied
    counts = person_counts(event)
    form = EmailRegistrantsForm(request.POST if request.method == "POST" else None, counts=counts)
    context = {"counts": counts, "title": f"Email the people registered for {event.title}"}
    if request.method == "POST" and form.is_valid() and "edit" not in request.POST:
        data = form.cleaned_data
        if "send" in request.POST:
            queued = services.email_registrants(
                event, subject=data["subject"], message=data["message"], audiences=data["audiences"]
            )
            messages.success(
                request,
                f"{queued} email{'s' if queued != 1 else ''} queued: see Emails › Outgoing emails.",
            )
            return redirect("admin:events_event_change", event.pk)
        return render(
            model_admin,
            request,
            "email_preview.html",
            event=event,
            **context,
            recipients=services.message_recipients(event, audiences=data["audiences"]).count(),
            preview=_preview(event, data),
            fields=posted_fields(request.POST, leave_out=("csrfmiddlewaretoken", "preview")),
        )
    return render(
        model_admin,
        request,
        "email.html",
        event=event,
        **context,
        form=form,
        adminform=helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
    )


def _preview(event: Event, data: dict) -> dict:
    sample = services.message_recipients(
        event, audiences=data["audiences"]
    ).first() or Registration(event=event, first_name="Sam", reference="HC-ABC234")
    sample.event = event
    subject, text, _ = render_email(
        "staff_message",
        {
            "registration": sample,
            "event": event,
            "subject": data["subject"],
            "message": services.without_greeting(data["message"]),
            "manage_url": "(their own link to their registration)",
        },
    )
    return {"to": sample.first_name, "subject": subject, "text": text}


# Register by phone, export ------------------------------------------------------


def phone_registration_view(model_admin, request, object_id):
    event = load_event(request, object_id, perm="add_registration")
    form = PhoneRegistrationForm(request.POST if request.method == "POST" else None, event=event)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome = services.register_by_phone(
                event,
                **{name: data[name] for name in ("first_name", "last_name", "email", "role")},
                **{name: data[name] for name in ("heard_from", "phone", "access_needs")},
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _registered_message(outcome))
            return redirect(_registrations_url(event))
    return render(
        model_admin,
        request,
        "register_by_phone.html",
        event=event,
        title=f"Register someone for {event.title}",
        retention_months=settings.RETENTION_MONTHS,
        form=form,
        adminform=helpers.AdminForm(form, [(None, {"fields": list(form.fields)})], {}),
    )


def _registered_message(outcome) -> str:
    registration = outcome.registration
    if not outcome.created:
        return (
            f"{registration.email} is already registered for this event "
            f"({registration.reference}, {registration.get_status_display().lower()}). "
            "We have emailed them their link again."
        )
    where = (
        "has a place"
        if registration.status == RegistrationStatus.CONFIRMED
        else "is on the waiting list"
    )
    return (
        f"{registration.full_name} {where}: reference {registration.reference}. "
        f"The email is on its way to {registration.email}."
    )


def _registrations_url(event: Event) -> str:
    return f"{reverse('admin:events_registration_changelist')}?event__id__exact={event.pk}"


def export_view(model_admin, request, object_id):
    event = load_event(request, object_id, perm="view_registration")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(event)}"'
    # A byte-order mark, so that Excel reads the accents in names correctly.
    response.write("\ufeff" + exports.registrations_csv(event))
    return response
