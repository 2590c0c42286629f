"""What several apps' admins share."""

from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError

NOTHING_SELECTED = (
    "Items must be selected in order to perform actions on them. No items have been changed."
)


class CheckedSelectionMixin:
    """For a changelist with actions: a selection that is not ids (a forged
    or mangled POST: "abc", "²") is answered as an empty one is, with
    Django's own message, where Django would fail filtering by it (a 500)."""

    def response_action(self, request, queryset):
        pk = self.model._meta.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                pk.to_python(value)
        except ValidationError:
            self.message_user(request, NOTHING_SELECTED, messages.WARNING)
            return None  # the changelist then shows itself again
        return super().response_action(request, queryset)


class ReadOnlyAdminMixin:
    """For rows only services write (alert runs, audit entries, the reach
    report, registrations): staff may look, never add, change or delete
    them from the admin."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
