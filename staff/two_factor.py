"""Staff sign-in, second step: after the password, a code from an
authenticator app, a passkey, or a single-use recovery code; a staff user
without any sets one up first (enrolment on first login).

Until the session has passed this step, StaffAdminSite.has_permission is
False, so no admin page answers. Every wrong code and every failed passkey
counts as a failed sign-in for django-axes (per username and per address, as
wrong passwords do), and only a complete sign-in clears the username's count."""

from base64 import b32encode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as reset_lockout
from django import forms
from django.contrib import admin, auth, messages
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView
from django_otp import login as otp_login
from django_otp_webauthn.exceptions import OTPWebAuthnApiError
from django_otp_webauthn.views import CompleteCredentialAuthenticationView

from core.lockout import locked_out, locked_out_message

from . import accounts

WRONG_CODE = (
    "That code is not right. Type the 6-digit code your authenticator app shows now,"
    " or one of your recovery codes."
)
WRONG_SET_UP_CODE = (
    "That code is not right. Check that the app shows the account you have just added,"
    " and type the 6-digit code it shows now."
)
NO_CODE = "Enter the code"
# The session key that holds the secret of an app being set up.
PENDING_TOTP_KEY = "staff_pending_totp_key"
# After wrong codes in a row the app's codes are refused for 1, 2, 4, 8 ...
# seconds (django-otp's throttling), the right one too: worth saying once
# the wait is longer than typing a code takes.
WAIT = (
    "There have been several wrong codes in a row. Wait {seconds} seconds,"
    " then type the code your app shows then."
)
SAY_WAIT_FROM_SECONDS = 4


def _wrong(message: str, seconds: int) -> str:
    return WAIT.format(seconds=seconds) if seconds >= SAY_WAIT_FROM_SECONDS else message


def is_verified(user) -> bool:
    """Whether this request's session passed the second factor
    (django_otp's OTPMiddleware sets user.is_verified)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def needs_second_factor(user) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.is_staff and not is_verified(user)
    )


def next_url(request) -> str:
    """Where the person was going, if it is a page of this site; else the admin home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def second_factor_url(request) -> str:
    return f"{reverse('admin:second_factor')}?{urlencode({'next': next_url(request)})}"


def _credentials(user) -> dict:
    return {"username": user.get_username()}


def _signed_in(request, device) -> None:
    """The second factor passed: the session is verified and the username's
    count of failures starts again."""
    otp_login(request, device)
    reset_lockout(username=request.user.get_username())


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=40,
        error_messages={"required": NO_CODE},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


@method_decorator(never_cache, name="dispatch")
class SecondFactorStep(FormView):
    """For a staff user who has given the right password in this session and
    not yet the second factor; anyone else goes to the login page, or on."""

    form_class = CodeForm

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_staff):
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if is_verified(user):
            return redirect(next_url(request))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            **admin.site.each_context(self.request),
            # Nothing of the admin shows before the second factor.
            "available_apps": [],
            "is_nav_sidebar_enabled": False,
            "has_permission": False,
            "next": next_url(self.request),
            **super().get_context_data(**kwargs),
        }


class VerifyView(SecondFactorStep):
    template_name = "admin/staff/second_factor.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if needs_second_factor(user) and not accounts.has_second_factor(user):
            return redirect(f"{reverse('admin:second_factor_set_up')}?{request.GET.urlencode()}")
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not AxesProxyHandler.is_allowed(request, _credentials(request.user)):
            return self._locked_out()
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        request, user = self.request, self.request.user
        device = accounts.verify_second_factor(user, code=form.cleaned_data["code"])
        if device is None:
            user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
            if getattr(request, "axes_locked_out", False):
                return self._locked_out()
            form.add_error("code", _wrong(WRONG_CODE, accounts.seconds_to_wait(user)))
            return self.form_invalid(form)
        _signed_in(request, device)
        if device.persistent_id.startswith("otp_static."):
            left = accounts.unused_recovery_codes(user)
            messages.warning(
                request,
                f"You used a recovery code: it will not work again. You have {left} left."
                " Make new ones under Recovery codes (top right) if you are running low.",
            )
        return redirect(next_url(request))

    def _locked_out(self):
        auth.logout(self.request)
        return locked_out(self.request)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "has_passkey": accounts.has_passkey(self.request.user),
        }


class SetUpView(SecondFactorStep):
    """Enrolment on first login: an authenticator app from a QR code made
    here (or its secret typed in), or a passkey; then recovery codes."""

    template_name = "admin/staff/second_factor_set_up.html"

    def dispatch(self, request, *args, **kwargs):
        if needs_second_factor(request.user) and accounts.has_second_factor(request.user):
            return redirect(second_factor_url(request))
        return super().dispatch(request, *args, **kwargs)

    def _pending_key(self) -> str:
        """The secret being set up, kept in the session (not in a device
        row) until a code confirms it: reloading the page writes nothing
        and shows the same QR code, so one already scanned still works."""
        session = self.request.session
        if not session.get(PENDING_TOTP_KEY):
            session[PENDING_TOTP_KEY] = accounts.new_totp_key()
        return session[PENDING_TOTP_KEY]

    def get_context_data(self, **kwargs):
        device = accounts.pending_totp_device(self.request.user, key=self._pending_key())
        secret = b32encode(device.bin_key).decode().rstrip("=")
        return {
            **super().get_context_data(**kwargs),
            "qr_code": segno.make(device.config_url, error="m").png_data_uri(scale=5, border=2),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        }

    def form_valid(self, form):
        request = self.request
        code = form.cleaned_data["code"]
        device = accounts.confirm_totp_enrolment(request.user, key=self._pending_key(), code=code)
        if device is None:
            form.add_error("code", WRONG_SET_UP_CODE)
            return self.form_invalid(form)
        request.session.pop(PENDING_TOTP_KEY, None)
        _signed_in(request, device)
        return show_recovery_codes(request, accounts.replace_recovery_codes(request.user))


def show_recovery_codes(request, codes: list[str]) -> TemplateResponse:
    """The one time the codes are shown: in the answer to the POST that made
    them (never stored in the session; both callers are never_cache)."""
    return TemplateResponse(
        request,
        "admin/staff/recovery_codes_new.html",
        {
            **admin.site.each_context(request),
            "title": "Your recovery codes",
            "codes": codes,
            "next": next_url(request),
        },
    )


@method_decorator(never_cache, name="dispatch")
class RecoveryCodesView(TemplateView):
    """How many recovery codes are left; making new ones (which ends the old
    ones) shows them once. Only for a session that passed the second factor
    (the site's admin_view), such as straight after adding a passkey."""

    template_name = "admin/staff/recovery_codes.html"

    def get_context_data(self, **kwargs):
        return {
            **admin.site.each_context(self.request),
            "title": "Recovery codes",
            "unused": accounts.unused_recovery_codes(self.request.user),
            **super().get_context_data(**kwargs),
        }

    def post(self, request, *args, **kwargs):
        return show_recovery_codes(request, accounts.replace_recovery_codes(request.user))


class PasskeyLockedOut(OTPWebAuthnApiError):
    """The passkey script shows `detail` to the person (JSON, not a page)."""

    status_code = 429
    default_code = "locked_out"

    def __init__(self):
        super().__init__(locked_out_message())


class PasskeyVerifiedView(CompleteCredentialAuthenticationView):
    """django-otp-webauthn's last step of signing in with a passkey, after
    the password. A passkey that fails (unknown, someone else's, a bad
    signature, a replayed or missing challenge) counts as a failed sign-in
    for django-axes, as a wrong code does; a locked username or address is
    refused before the passkey is checked and the half-done sign-in ended.
    Success clears the username's count of failures as a code does."""

    def post(self, *args, **kwargs):
        user = self.request.user
        if user.is_authenticated and not AxesProxyHandler.is_allowed(
            self.request, _credentials(user)
        ):
            auth.logout(self.request)
            raise PasskeyLockedOut()
        return super().post(*args, **kwargs)

    def handle_exception(self, exc):
        request = self.request
        failed = isinstance(exc, OTPWebAuthnApiError) and not isinstance(exc, PasskeyLockedOut)
        if failed and request.user.is_authenticated:
            user = request.user
            user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
            if getattr(request, "axes_locked_out", False):
                auth.logout(request)
                exc = PasskeyLockedOut()
        return super().handle_exception(exc)

    def complete_auth(self, device):
        super().complete_auth(device)
        reset_lockout(username=self.request.user.get_username())


verify_view = VerifyView.as_view()
set_up_view = SetUpView.as_view()
