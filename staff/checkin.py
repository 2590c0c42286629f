"""Check-in on the night: a page for a phone or tablet at the door.

Plain forms that POST and redirect back, so it works without JavaScript;
static/staff/checkin.js only refreshes the counts while the page is open
(several people may be checking in at once)."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django_permissions_policy import PermissionsPolicyMiddleware

from events import queries, services
from events.models import Registration, RegistrationStatus

from .forms import WalkInForm
from .views import load_event


def _context(model_admin, request, event, **context):
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "event": event,
        "counts": queries.door_counts(event),
        "can_check_in": request.user.has_perm("events.change_registration"),
        "can_add": request.user.has_perm("events.add_registration"),
        **context,
    }


def _back(event, *, search: str = "", anchor: str = ""):
    url = reverse("admin:events_event_checkin", args=[event.pk])
    if search:
        url += "?" + urlencode({"q": search})
    return redirect(url + (f"#{anchor}" if anchor else ""))


def checkin_view(model_admin, request, object_id):
    response = _door_list(model_admin, request, object_id)
    # The check-in page alone may use the camera, to scan QR codes at the
    # door; every other feature stays denied as everywhere else.
    policy = {**settings.PERMISSIONS_POLICY, "camera": ["self"]}
    response._permissions_policy_override = PermissionsPolicyMiddleware.compute_header_value(
        policy, name="check-in"
    )
    return response


def _door_list(model_admin, request, object_id):
    event = load_event(request, object_id, perm="view_registration")
    # A NUL is dropped: PostgreSQL refuses one in any text it compares.
    search = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    people = list(queries.door_list(event, search=search))
    return TemplateResponse(
        request,
        "admin/events/checkin/checkin.html",
        _context(
            model_admin,
            request,
            event,
            title=f"Check-in: {event.title}",
            search=search,
            people=people,
        ),
    )


def counts_view(model_admin, request, object_id):
    event = load_event(request, object_id, perm="view_registration")
    counts = queries.door_counts(event)
    return JsonResponse(
        {
            "here": counts.here,
            "confirmed": counts.confirmed,
            "still_to_come": counts.still_to_come,
            "walk_ins": counts.walk_ins,
            "capacity": counts.capacity,
        }
    )


def mark_view(model_admin, request, object_id, registration_id):
    """One tap: mark someone as here, or undo it."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    event = load_event(request, object_id, perm="change_registration")
    registration = Registration.objects.filter(pk=registration_id, event=event).first()
    if registration is None:
        raise Http404("No such registration")
    search = request.POST.get("q", "")
    try:
        if request.POST.get("undo"):
            services.undo_check_in(registration)
            messages.info(request, f"{registration.full_name} is no longer checked in.")
        else:
            was_waiting = registration.status == RegistrationStatus.WAITING
            services.check_in(registration, over_booking=bool(request.POST.get("over_booking")))
            extra = " from the waiting list" if was_waiting else ""
            messages.success(request, f"{registration.full_name} is checked in{extra}.")
    except ValidationError as error:
        messages.error(request, f"{registration.full_name}: {error.messages[0]}")
    return _back(event, search=search, anchor=f"person-{registration.pk}")


def walk_in_view(model_admin, request, object_id):
    event = load_event(request, object_id, perm="change_registration")
    if not request.user.has_perm("events.add_registration"):
        raise PermissionDenied
    counts = queries.door_counts(event)
    form = WalkInForm(
        request.POST if request.method == "POST" else None,
        event=event,
        fully_booked=counts.fully_booked,
    )
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.admit_walk_in(event, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{registration.full_name} is checked in.")
            return _back(event)
    return TemplateResponse(
        request,
        "admin/events/checkin/walk_in.html",
        _context(model_admin, request, event, title=f"Add a walk-in: {event.title}", form=form),
    )
