"""The staff admin for events and registrations. Counts are annotated (no
query per row); every change goes through a service; anything that emails
people or cannot be undone asks first, saying to how many people."""

from collections import Counter

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from core.admin import CheckedSelectionMixin, ReadOnlyAdminMixin
from core.templatetags.govuk_dates import govuk_date, govuk_time
from events import services
from events.models import Event, EventState, EventStatus, Registration, RegistrationStatus, Role
from staff.forms import EventAdminForm

from .. import checkin, views
from .wide import WideChangelist


@admin.register(Role)
class RoleAdmin(CheckedSelectionMixin, admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    prepopulated_fields = {"code": ["name"]}


# Shorter than what candidates read ("Full: join the waiting list"), for a
# column in a wide table.
STAFF_STATE_LABELS = {
    EventState.FEW_LEFT: "Few left",
    EventState.FULL: "Full",
    EventState.NOT_YET_OPEN: "Not open yet",
    EventState.CLOSED: "Closed",
    EventState.PAST: "Past",
}


class WhenFilter(admin.SimpleListFilter):
    """Upcoming events first: what staff look at nearly every time."""

    title = "when"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", "Upcoming"), ("past", "Past"), ("all", "All")]

    def value(self):
        return super().value() or "upcoming"

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "upcoming":
            return queryset.filter(ends_at__gt=now)
        if self.value() == "past":
            return queryset.filter(ends_at__lte=now).order_by("-starts_at", "-pk")
        return queryset


class DemandFilter(admin.SimpleListFilter):
    title = "places"
    parameter_name = "places"

    def lookups(self, request, model_admin):
        return [
            ("waiting", "Full, with people waiting"),
            ("full", "Full"),
            ("free", "Places free"),
        ]

    def queryset(self, request, queryset):
        full = Q(confirmed_count__gte=F("capacity"))
        if self.value() == "waiting":
            return queryset.filter(full, waiting_count__gt=0)
        if self.value() == "full":
            return queryset.filter(full)
        if self.value() == "free":
            return queryset.exclude(full)
        return queryset


class RolesFilter(admin.RelatedFieldListFilter):
    """The roles, without Django's "-" for events with none: the form needs
    one at least, and staff read the dash as a role of its own."""

    @property
    def include_empty_choice(self):
        return False


@admin.register(Event)
class EventAdmin(CheckedSelectionMixin, WideChangelist, admin.ModelAdmin):
    form = EventAdminForm
    change_form_template = "admin/events/event/change_form.html"
    list_display = [
        "when",
        "title",
        "audience",
        "state",
        "capacity",
        "confirmed",
        "waiting",
        "fill_rate",
        "attended",
        "no_show_rate",
        "links",
    ]
    list_display_links = ["title"]
    list_filter = [WhenFilter, DemandFilter, "status", "audience", "format", ("roles", RolesFilter)]
    search_fields = ["title", "venue_name", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "cancelled_at", "cancellation_message"]
    ordering = ["starts_at", "pk"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "summary", "description"]}),
        ("Who it is for", {"fields": ["roles", "audience"]}),
        (
            "When",
            {
                "fields": [
                    "starts_at",
                    "ends_at",
                    "registration_opens_at",
                    "registration_closes_at",
                ],
                "description": "Times are UK time (Europe/London).",
            },
        ),
        (
            "Where",
            {
                "fields": [
                    *["format", "venue_name", "address", "travel_notes", "access_notes"],
                    *["online_joining_url", "online_joining_details"],
                ]
            },
        ),
        ("Places and emails", {"fields": ["capacity", "reminder_hours"]}),
    ]
    # Candidates were told this when the event was cancelled: shown, not edited.
    cancellation_fieldset = ("Cancellation", {"fields": ["cancelled_at", "cancellation_message"]})
    actions = ["publish_events", "duplicate_event", "email_registrants", "cancel_events"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_attendance()

    def get_fieldsets(self, request, obj=None):
        if obj is not None and obj.status == EventStatus.CANCELLED:
            return [*self.fieldsets, self.cancellation_fieldset]
        return self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        # A new event's status is always "draft"; no need to show it.
        return self.readonly_fields if obj is not None else ["status"]

    def get_urls(self):
        def view(function, name):
            wrapped = self.admin_site.admin_view(
                lambda request, object_id, **kwargs: function(self, request, object_id, **kwargs)
            )
            return wrapped, f"events_event_{name}"

        urls = [
            ("duplicate/", views.duplicate_view, "duplicate"),
            ("series/", views.series_view, "series"),
            ("publish/", views.publish_view, "publish"),
            ("cancel/", views.cancel_view, "cancel"),
            ("email/", views.email_view, "email"),
            ("register-by-phone/", views.phone_registration_view, "register_by_phone"),
            ("registrations.csv", views.export_view, "export"),
            ("check-in/", checkin.checkin_view, "checkin"),
            ("check-in/counts/", checkin.counts_view, "checkin_counts"),
            ("check-in/walk-in/", checkin.walk_in_view, "walk_in"),
            ("check-in/<int:registration_id>/", checkin.mark_view, "checkin_mark"),
        ]
        custom = []
        for suffix, function, name in urls:
            wrapped, url_name = view(function, name)
            custom.append(path(f"<int:object_id>/{suffix}", wrapped, name=url_name))
        return custom + super().get_urls()

    # The form -------------------------------------------------------------

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id and not views.confirmed(request):
            confirmation = views.confirm_change(self, request, object_id)
            if confirmation is not None:
                return confirmation
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # Moving a published event or changing its place emails everyone
        # registered (the form asked first: views.confirm_change):
        # change_event saves those fields and raises `sequence`, then
        # save_event saves the rest and gives any places freed by a higher
        # capacity to people waiting.
        is_published = obj.status == EventStatus.PUBLISHED
        time_or_place = set(form.changed_data) & {*services.TIME_FIELDS, *services.PLACE_FIELDS}
        if change and is_published and time_or_place:
            obj.sequence = services.change_event(
                obj,
                starts_at=obj.starts_at,
                ends_at=obj.ends_at,
                venue_name=obj.venue_name,
                address=obj.address,
                event_format=obj.format,
                online_joining_details=obj.online_joining_details,
                online_joining_url=obj.online_joining_url,
            ).sequence
        services.save_event(obj)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            "The event is saved as a draft: candidates cannot see it until you publish it.",
            messages.INFO,
        )
        return super().response_add(request, obj, post_url_continue)

    # Actions --------------------------------------------------------------

    def _confirm(self, request, template, **context):
        return TemplateResponse(
            request,
            f"admin/events/event/{template}",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "form_action": reverse("admin:events_event_changelist"),
                **context,
            },
        )

    @admin.action(description="Publish selected events", permissions=["change"])
    def publish_events(self, request, queryset):
        """Asks first: publishing shows the event to candidates."""
        if request.POST.get("post") != "yes":
            return self._confirm(
                request,
                "publish_selected_confirmation.html",
                title="Publish events",
                queryset=queryset,
                now=timezone.now(),
            )
        for event in queryset:
            try:
                services.publish_event(event)
            except ValidationError as error:
                self.message_user(request, f"{event}: {error.messages[0]}", messages.WARNING)
            else:
                self.message_user(request, f"{event} is published: candidates can now see it.")
        return None

    @admin.action(description="Cancel selected events", permissions=["change"])
    def cancel_events(self, request, queryset):
        """Asks first (it emails everyone registered and cannot be undone),
        with a box for a message and another date to offer in the email."""
        if request.POST.get("post") != "yes":
            return self._confirm(request, **views.cancel_context(queryset))
        message = views.cancellation_message(request.POST)
        for event in queryset:
            try:
                services.cancel_event(event, message=message)
            except ValidationError as error:
                self.message_user(request, f"{event}: {error.messages[0]}", messages.WARNING)
            else:
                people = event.confirmed_count + event.waiting_count
                self.message_user(
                    request, f"{event} is cancelled; {people} people registered are emailed."
                )
        return None

    @admin.action(description="Duplicate an event to a new date", permissions=["add"])
    def duplicate_event(self, request, queryset):
        return self._one_event(request, queryset, "duplicate")

    @admin.action(description="Email the people registered", permissions=["change"])
    def email_registrants(self, request, queryset):
        return self._one_event(request, queryset, "email")

    def _one_event(self, request, queryset, view):
        events = list(queryset[:2])
        if len(events) != 1:
            self.message_user(request, "Select exactly one event for this.", messages.WARNING)
            return None
        return redirect(f"admin:events_event_{view}", events[0].pk)

    # Columns --------------------------------------------------------------

    @admin.display(description="Date", ordering="starts_at")
    def when(self, event):
        local = timezone.localtime(event.starts_at)
        return f"{local:%a} {local.day} {local:%b %Y}, {govuk_time(event.starts_at)}"

    @admin.display(description="State")
    def state(self, event):
        state = event.state()
        label = STAFF_STATE_LABELS.get(state, state.label)
        return format_html('<span class="app-state app-state--{}">{}</span>', state, label)

    @admin.display(description="Confirmed", ordering="confirmed_count")
    def confirmed(self, event):
        return event.confirmed_count

    @admin.display(description="Waiting", ordering="waiting_count")
    def waiting(self, event):
        return event.waiting_count

    @admin.display(description="Fill rate")
    def fill_rate(self, event):
        return f"{event.confirmed_count * 100 // event.capacity}%" if event.capacity else "–"

    @admin.display(description="Attended", ordering="attended_count")
    def attended(self, event):
        return event.attended_count if event.starts_at <= timezone.now() else "–"

    @admin.display(description="No-show rate")
    def no_show_rate(self, event):
        if event.ends_at > timezone.now() or not event.confirmed_count:
            return "–"
        no_shows = event.confirmed_count - event.attended_count
        return f"{max(no_shows, 0) * 100 // event.confirmed_count}%"

    @admin.display(description="Open")
    def links(self, event):
        return format_html(
            '<a href="{}">Registrations</a> · <a href="{}">Check-in</a>',
            registrations_url(event),
            reverse("admin:events_event_checkin", args=[event.pk]),
        )


def registrations_url(event: Event) -> str:
    return f"{reverse('admin:events_registration_changelist')}?event__id__exact={event.pk}"


class AttendedFilter(admin.SimpleListFilter):
    title = "checked in"
    parameter_name = "checked_in"

    def lookups(self, request, model_admin):
        return [("yes", "Checked in"), ("no", "Not checked in")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(checked_in_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(checked_in_at__isnull=True)
        return queryset


@admin.register(Registration)
class RegistrationAdmin(
    CheckedSelectionMixin, WideChangelist, ReadOnlyAdminMixin, admin.ModelAdmin
):
    """Registrations are read here; changes go through the services (the
    candidate's own link, the actions below, check-in, register by phone),
    so the waiting list and the emails always follow."""

    change_list_template = "admin/events/registration/change_list.html"
    list_display = [
        "reference",
        "full_name",
        "event_link",
        "shown_status",
        "checked_in",
        "source",
        "created_at",
    ]
    list_filter = ["status", "cancel_reason", AttendedFilter, "source"]
    search_fields = ["reference", "first_name", "last_name", "email"]
    list_select_related = ["event"]
    actions = ["cancel_registrations"]
    exclude = ["email_key"]

    @admin.display(description="Status", ordering="status")
    def shown_status(self, registration):
        """A place given back with the one-tap link stands apart from a
        cancellation: the release rate on the dashboard counts them."""
        if registration.status == RegistrationStatus.CANCELLED and registration.cancel_reason:
            return registration.get_cancel_reason_display()
        return registration.get_status_display()

    def get_list_display(self, request):
        """The registrations of one event do not repeat its title on every
        row: on a phone at the door that was most of each block."""
        if request.GET.get("event__id__exact"):
            return [name for name in self.list_display if name != "event_link"]
        return self.list_display

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "event__id__exact" or super().lookup_allowed(lookup, value, request)

    def has_cancel_permission(self, request):
        return request.user.has_perm("events.change_registration")

    def changelist_view(self, request, extra_context=None):
        event = None
        event_id = request.GET.get("event__id__exact", "")
        if event_id.isascii() and event_id.isdigit():  # not "²", which int() refuses
            event = Event.objects.with_attendance().filter(pk=event_id).first()
        return super().changelist_view(request, {**(extra_context or {}), "event": event})

    @admin.display(description="Event", ordering="event__starts_at")
    def event_link(self, registration):
        event = registration.event
        return format_html(
            '<a href="{}">{}</a>, {}',
            registrations_url(event),
            event.title,
            govuk_date(event.starts_at),
        )

    @admin.display(description="Checked in", ordering="checked_in_at")
    def checked_in(self, registration):
        """The time, or words: Django's red cross read as "something is
        wrong" to staff looking through tonight's list before anyone came."""
        if registration.checked_in_at is not None:
            return f"Yes, {govuk_time(registration.checked_in_at)}"
        if registration.status != RegistrationStatus.CONFIRMED:
            return "–"  # waiting or cancelled: no place to check in to
        return "Not yet" if registration.event.ends_at > timezone.now() else "No"

    @admin.action(description="Cancel selected registrations", permissions=["cancel"])
    def cancel_registrations(self, request, queryset):
        cancelled, refused = 0, Counter()
        for registration in queryset.select_related("event"):
            try:
                services.cancel_registration(registration)
            except ValidationError as error:
                refused[error.messages[0]] += 1
                continue
            cancelled += 1
        self.message_user(
            request,
            f"{cancelled} registration{'s' if cancelled != 1 else ''} cancelled; "
            "each person is emailed and freed places go to the waiting list.",
        )
        # The record of who was coming stays once the evening has started
        # or was cancelled: say which were left, and why.
        for reason, number in refused.items():
            self.message_user(
                request,
                f"{number} not cancelled: {reason}",
                messages.WARNING,
            )
