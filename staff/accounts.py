"""Writes for staff accounts' second factor: authenticator apps (TOTP),
recovery codes and resetting a lost device. Passkeys are written by
django-otp-webauthn's own views.

(Not staff/services.py: the back office's services for events move there;
these are the account's, and nothing else writes django-otp's rows.)"""

import math
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key
from django_otp_webauthn.models import WebAuthnCredential

RECOVERY_CODES = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def new_totp_key() -> str:
    """A secret for an authenticator app being set up (django-otp's own
    default: 20 random bytes, in hex)."""
    return default_key()


def pending_totp_device(user: AbstractBaseUser, *, key: str) -> TOTPDevice:
    """The authenticator app being set up with `key`, unsaved: nothing is
    written until a code confirms it (showing its QR code writes nothing)."""
    return TOTPDevice(user=user, name=APP_DEVICE_NAME, key=key, confirmed=False)


@transaction.atomic
def confirm_totp_enrolment(user: AbstractBaseUser, *, key: str, code: str) -> TOTPDevice | None:
    """Save the app set up with `key` as the user's, confirmed, if `code`
    is its current code (proof the app holds the secret); None if not.
    Locks the user row, so the same form sent twice saves one device.
    Deletes any unconfirmed app devices (earlier versions saved one)."""
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    saved = TOTPDevice.objects.filter(user=user, key=key, confirmed=True).first()
    if saved is not None:
        return saved
    device = pending_totp_device(user, key=key)
    try:
        token = int(normalise_code(code))
    except ValueError:
        return None
    app = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    app.time = time.time()
    if not app.verify(token, device.tolerance):
        return None
    device.last_t = app.t()  # this code is used: it will not sign in again
    device.confirmed = True
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device.save()
    return device


@transaction.atomic
def replace_recovery_codes(user: AbstractBaseUser) -> list[str]:
    """Make RECOVERY_CODES new single-use codes and return them (the only
    time they are shown); every earlier code stops working."""
    device, _ = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def unused_recovery_codes(user: AbstractBaseUser) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify_second_factor(user: AbstractBaseUser, *, code: str) -> Device | None:
    """The app or recovery-code device that accepts `code`, or None. A
    recovery code is used up (deleted) when it matches; a failure counts
    towards each device's own throttling (django-otp's ThrottlingMixin)."""
    code = normalise_code(code)
    if not code:
        return None
    # An app's code is six digits, a recovery code eight characters: each is
    # tried only on its own kind, so one never throttles the other.
    kind = TOTPDevice if len(code) == 6 and code.isdigit() else StaticDevice
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, kind) and device.verify_token(code):
                return device
    return None


def seconds_to_wait(user: AbstractBaseUser) -> int:
    """How long the user's app refuses every code, right or wrong, after
    wrong ones in a row (django-otp's throttling: 1, 2, 4, 8 ... seconds)."""
    waits = [0]
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if not allowed and data and data.get("locked_until"):
            waits.append(math.ceil((data["locked_until"] - timezone.now()).total_seconds()))
    return max(waits)


def normalise_code(code: str) -> str:
    """What people type: spaces and hyphens between groups, any case."""
    return "".join(code.split()).replace("-", "").lower()


def has_second_factor(user: AbstractBaseUser) -> bool:
    """Whether the user has an app or a passkey (recovery codes alone do
    not count: they are the way back to those)."""
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    )


def has_passkey(user: AbstractBaseUser) -> bool:
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def reset_second_factor(user: AbstractBaseUser) -> int:
    """Delete every second-factor device of the user (app, passkeys,
    recovery codes): their next sign-in sets one up again, and any session
    that passed the second factor with a deleted device no longer counts as
    verified. Returns how many devices were deleted."""
    deleted = 0
    for model in (TOTPDevice, StaticDevice, WebAuthnCredential):
        _, per_model = model.objects.filter(user=user).delete()
        deleted += per_model.get(model._meta.label, 0)
    return deleted
