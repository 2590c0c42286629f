from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit log of exports and erasures, for superusers only and
    read-only: an entry is written by the commands and never changed."""

    list_display = ["created_at", "action", "operator", "summary"]
    list_filter = ["action"]
    date_hierarchy = "created_at"
    fields = ["created_at", "action", "operator", "summary"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    @admin.display(description="Records")
    def summary(self, entry):
        shown = [f"{kind.replace('_', ' ')}: {count}" for kind, count in entry.counts.items()]
        return "; ".join(shown) or "none"
