"""Writes for staff accounts' second factor: authenticator apps (TOTP),
recovery codes and resetting a lost device. Passkeys are written by
django-otp-webauthn's own views.

(Not staff/services.py: the back office's services for events move there;
these are the account's, and nothing else writes django-otp's rows.)"""

import math

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

RECOVERY_CODES = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


def start_totp_enrolment(user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed authenticator-app device being set up, made on first
    call: the same secret until it is confirmed, so a reload keeps the QR
    code already scanned. Writes one TOTPDevice row at most."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm_totp_enrolment(device: TOTPDevice, *, code: str) -> bool:
    """Confirm the device if `code` is its current code (proof the app holds
    the secret); other unconfirmed app devices of the user are deleted."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(code):
        return False
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    return True


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


def seconds_to_wait(user: AbstractBaseUser, *, confirmed: bool = True) -> int:
    """How long the user's app refuses every code, right or wrong, after
    wrong ones in a row (django-otp's throttling: 1, 2, 4, 8 ... seconds)."""
    waits = [0]
    for device in TOTPDevice.objects.filter(user=user, confirmed=confirmed):
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
