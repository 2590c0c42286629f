from django.contrib import admin

from .models import Event, Registration, Role


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

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    @admin.display(description="Confirmed", ordering="confirmed_count")
    def confirmed(self, event):
        return event.confirmed_count

    @admin.display(description="Waiting", ordering="waiting_count")
    def waiting(self, event):
        return event.waiting_count


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["reference", "full_name", "event", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["reference", "last_name", "email"]
    list_select_related = ["event"]
    readonly_fields = [
        "reference",
        "email_key",
        "privacy_accepted_at",
        "promoted_at",
        "cancelled_at",
    ]
    raw_id_fields = ["event"]
