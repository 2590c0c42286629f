from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse

from . import services
from .models import Event, EventStatus, Registration, Role


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "position"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "starts_at",
        "audience",
        "format",
        "status",
        "capacity",
        "confirmed",
        "waiting",
    ]
    list_filter = ["status", "format", "audience", "roles"]
    search_fields = ["title", "venue_name"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["roles"]
    date_hierarchy = "starts_at"
    readonly_fields = ["sequence", "cancelled_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "status",
                    "summary",
                    "description",
                    "roles",
                    "audience",
                ]
            },
        ),
        (
            "When",
            {
                "fields": [
                    "starts_at",
                    "ends_at",
                    "registration_opens_at",
                    "registration_closes_at",
                ]
            },
        ),
        (
            "Where",
            {
                "fields": [
                    "format",
                    "venue_name",
                    "address",
                    "travel_notes",
                    "access_notes",
                    "online_joining_details",
                ]
            },
        ),
        ("Places and emails", {"fields": ["capacity", "reminder_hours", "sequence"]}),
        ("Cancellation", {"fields": ["cancelled_at", "cancellation_message"]}),
    ]

    actions = ["cancel_events"]

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None or obj.status != EventStatus.CANCELLED:
            # Cancelling must tell everyone registered: only the action does.
            form.base_fields["status"].choices = [
                choice for choice in EventStatus.choices if choice[0] != EventStatus.CANCELLED
            ]
            form.base_fields["status"].help_text = (
                "To cancel an event, use the action “Cancel selected events” on the list: "
                "it emails everyone registered."
            )
        return form

    def save_model(self, request, obj, form, change):
        # Moving a published event or changing its place emails everyone
        # registered: change_event saves those fields and raises `sequence`
        # (inside the admin's transaction), then save_event saves the rest
        # and gives any places freed by a higher capacity to people waiting.
        was_published = form.initial.get("status") == EventStatus.PUBLISHED
        time_or_place = set(form.changed_data) & {*services.TIME_FIELDS, *services.PLACE_FIELDS}
        if change and was_published and obj.status == EventStatus.PUBLISHED and time_or_place:
            obj.sequence = services.change_event(
                obj,
                starts_at=obj.starts_at,
                ends_at=obj.ends_at,
                venue_name=obj.venue_name,
                address=obj.address,
                event_format=obj.format,
                online_joining_details=obj.online_joining_details,
            ).sequence
        services.save_event(obj)

    @admin.action(description="Cancel selected events", permissions=["change"])
    def cancel_events(self, request, queryset):
        """Asks first (it emails everyone registered and cannot be undone),
        with a box for a message that goes in the email."""
        if request.POST.get("post") != "yes":
            return TemplateResponse(
                request,
                "admin/events/event/cancel_selected_confirmation.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Cancel events",
                    "opts": self.model._meta,
                    "queryset": queryset,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        message = request.POST.get("message", "")
        for event in queryset:
            try:
                services.cancel_event(event, message=message)
            except ValidationError as error:
                self.message_user(request, f"{event}: {error.messages[0]}", messages.WARNING)
            else:
                self.message_user(request, f"{event} is cancelled; everyone registered is emailed.")
        return None

    @admin.display(description="Confirmed", ordering="confirmed_count")
    def confirmed(self, event):
        return event.confirmed_count

    @admin.display(description="Waiting", ordering="waiting_count")
    def waiting(self, event):
        return event.waiting_count


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    """Registrations are read here; changes go through the services (the
    candidate's own link, or the actions below), so the waiting list and
    the emails always follow."""

    list_display = ["reference", "full_name", "event", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["reference", "last_name", "email"]
    list_select_related = ["event"]
    actions = ["cancel_registrations"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_cancel_permission(self, request):
        return request.user.has_perm("events.change_registration")

    @admin.action(description="Cancel selected registrations", permissions=["cancel"])
    def cancel_registrations(self, request, queryset):
        cancelled = 0
        for registration in queryset.select_related("event"):
            try:
                services.cancel_registration(registration)
            except ValidationError:
                continue
            cancelled += 1
        self.message_user(
            request,
            f"{cancelled} registration{'s' if cancelled != 1 else ''} cancelled; "
            "each person is emailed and freed places go to the waiting list.",
        )
