from django.contrib import admin

from alerts import services
from alerts.models import AlertRunStatus, EventAlertRun, Subscription
from core.admin import CheckedSelectionMixin, ReadOnlyAdminMixin

from .wide import WideChangelist


@admin.register(Subscription)
class SubscriptionAdmin(CheckedSelectionMixin, WideChangelist, admin.ModelAdmin):
    """Subscribers, read-only: they choose and change everything themselves
    from their emails. Staff may remove one (someone asks by phone) with
    the action, which goes through the service."""

    list_display = ["email", "role_names", "format", "confirmed_at", "created_at"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter), "format", "roles"]
    search_fields = ["email_key"]
    date_hierarchy = "created_at"
    actions = ["unsubscribe_selected"]
    fields = [
        *["email", "role_names", "format", "consented_at", "confirmed_at"],
        *["reconfirm_requested_at", "created_at", "updated_at"],
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles")

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term.casefold())

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Only through the action on the list, never the change page's button.
        return obj is None and super().has_delete_permission(request)

    @admin.display(description="Roles")
    def role_names(self, subscription):
        return ", ".join(role.name for role in subscription.roles.all()) or "None"

    @admin.action(description="Unsubscribe selected subscribers", permissions=["delete"])
    def unsubscribe_selected(self, request, queryset):
        subscriptions = list(queryset)
        for subscription in subscriptions:
            services.unsubscribe(subscription)
        self.message_user(request, f"{len(subscriptions)} subscriber(s) unsubscribed and removed.")


@admin.register(EventAlertRun)
class EventAlertRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Each event's announcement to its subscribers and how far it has got."""

    list_display = ["event", "status", "progress", "started_at", "finished_at"]
    list_filter = ["status"]
    search_fields = ["event__title"]
    list_select_related = ["event"]
    fields = [
        *["event", "status", "progress", "total", "queued"],
        *["started_at", "progressed_at", "finished_at", "last_subscription_id"],
    ]
    readonly_fields = fields

    @admin.display(description="Progress")
    def progress(self, run):
        if run.status == AlertRunStatus.SKIPPED:
            return "Not sent"
        text = f"Queued for {run.queued:,} of {run.total:,}"
        if run.status == AlertRunStatus.RUNNING and run.total:
            text += f" ({min(run.queued * 100 // run.total, 100)}%)"
        return text
