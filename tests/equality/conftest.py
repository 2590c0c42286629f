from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group


def staff_user(name: str, *, group: str | None = None, is_staff: bool = True):
    user = get_user_model().objects.create_user(
        name, f"{name}@example.org", "a-long-test-password", is_staff=is_staff
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user
