"""What several apps' admins share."""


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
