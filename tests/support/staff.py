"""Staff signed in as the admin requires: password and second factor.

`sign_in_staff(client, user)` is the one way the suite signs a staff user
in to the test client without going through the login pages (the tests in
tests/staff/test_two_factor.py go through them): it logs the user in and
marks the session as having passed the second factor with the user's
authenticator-app device, made if they have none, exactly as a real code
does (django_otp.login stores the device in the session)."""

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


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
