"""The staff groups and what each may do. Created or brought up to date
after every `migrate` (see CoreConfig.ready), so a new permission reaches
existing groups without a hand-written data migration.

Permissions are "app_label.codename"; one that does not exist (yet) is
skipped, so an app can name its permissions here before its models land.
"""

from django.contrib.auth.models import Group, Permission

WORKFORCE_DEVELOPMENT = "Workforce development"
POSITIVE_ACTION = "Positive action"


def _crud(app_label: str, model: str, *actions: str) -> list[str]:
    return [f"{app_label}.{action}_{model}" for action in actions]


GROUP_PERMISSIONS: dict[str, list[str]] = {
    WORKFORCE_DEVELOPMENT: [
        *_crud("events", "event", "view", "add", "change"),
        *_crud("events", "registration", "view", "add", "change"),
        *_crud("events", "role", "view"),
        *_crud("emails", "outgoingemail", "view", "change"),
        "equality.view_report",
        *_crud("alerts", "subscription", "view"),
        *_crud("alerts", "eventalertrun", "view"),
    ],
    POSITIVE_ACTION: [
        *_crud("mentoring", "mentoringrequest", "view", "change", "delete"),
        *_crud("mentoring", "contactlogentry", "view", "add"),
    ],
}


def ensure_staff_groups(**kwargs) -> None:
    """Make each group hold exactly the permissions listed above."""
    for name, wanted in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = []
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                permissions.append(permission)
        group.permissions.set(permissions)
