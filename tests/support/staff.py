"""Staff users, and staff signed in as the admin requires: password and
second factor.

`make_staff_user(...)` is the one way the suite makes a staff account: in
one of the real groups that core/groups.py sets up after `migrate`, as
`manage.py createstaff` puts them, or a superuser.

`sign_in_staff(client, user)` is the one way the suite signs a staff user
in to the test client without going through the login pages (the tests in
tests/staff/test_two_factor.py go through them): it logs the user in and
marks the session as having passed the second factor with the user's
authenticator-app device, made if they have none, exactly as a real code
does (django_otp.login stores the device in the session)."""

import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.groups import GROUP_PERMISSIONS

STAFF_PASSWORD = "a-long-test-password"


def make_staff_user(
    *,
    username: str = "jo@herts.example.org",
    group: str | None = None,
    superuser: bool = False,
    password: str = STAFF_PASSWORD,
    email: str | None = None,
) -> AbstractUser:
    """A staff account (is_staff) that can sign in with `password`.

    `group`: one of core.groups' names (WORKFORCE_DEVELOPMENT,
    POSITIVE_ACTION); the user joins the real group, with the permissions
    core.groups.ensure_staff_groups gave it after `migrate` (the test
    database keeps them, tests/support/database.py). None: no group, so the
    account sees the admin home and nothing else. `superuser`: may do
    everything, whatever the group. `email` defaults to the username when
    that is an address (staff sign in with their work address), else to
    username@example.org. No second-factor device: sign_in_staff adds one."""
    if group is not None and group not in GROUP_PERMISSIONS:
        raise ValueError(f"{group!r} is not a staff group of core/groups.py")
    if email is None:
        email = username if "@" in username else f"{username}@example.org"
    users = get_user_model().objects
    make = users.create_superuser if superuser else users.create_user
    user = make(username, email, password, is_staff=True)
    if group is not None:
        user.groups.add(Group.objects.get(name=group))
    return user


def authenticator_app(user) -> TOTPDevice:
    """The user's confirmed authenticator-app device, made if missing."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app")


def sign_in_staff(client: Client, user) -> Client:
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator_app(user).persistent_id
    session.save()
    return client


def current_code(device: TOTPDevice) -> str:
    """The code the person's app shows now (django_otp.oath.totp); if this
    time step's code was already used (a second sign-in within 30 seconds),
    the next step's, which the device also accepts (tolerance 1)."""
    device.refresh_from_db()
    now_step = (int(time.time()) - device.t0) // device.step
    ahead = max(0, device.last_t + 1 - now_step)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=ahead)
    return f"{code:0{device.digits}d}"
