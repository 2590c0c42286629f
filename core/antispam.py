"""Keeping bots and floods off the public forms without a CAPTCHA (GOV.UK
advice): a rate limit per address (and per email where a form has one), a
honeypot field people never see, and a minimum time to fill the form.

A form that is limited keeps what was typed and says when to try again; a
form that looks automated is answered as if it had worked and does nothing,
so a bot learns nothing."""

import logging
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.shortcuts import redirect
from django_ratelimit.core import is_ratelimited

from .forms import ReturnedValueField
from .lockout import client_network

logger = logging.getLogger(__name__)

TOO_MANY_ATTEMPTS = (
    "You have sent this form too many times. Wait 10 minutes, then try again: "
    "what you typed is still here."
)


def rate_limited(request, *, group: str, rate: str, key: str | None = None) -> bool:
    """Count this request against `rate` (e.g. "20/10m") for the client's
    address (its /64 for IPv6: core.lockout.client_network), or for `key`
    when given; True once over. Fails open: with the cache down
    (RATELIMIT_FAIL_OPEN) nobody is limited."""
    try:
        return is_ratelimited(
            request,
            group=group,
            key=(lambda _group, _request: key) if key else (lambda _group, r: client_network(r)),
            rate=rate,
            increment=True,
        )
    except Exception:  # noqa: BLE001 - Django's Redis cache raises where django-ratelimit expects None
        logger.warning("Rate limit %s not checked: the cache is unavailable", group, exc_info=True)
        return False


class HumanCheckForm(forms.Form):
    """Mixed into a public form: `website` is a honeypot hidden from people
    and assistive technology; `started` carries, signed, when the form was
    shown. Call looks_automated() after is_valid()."""

    website = ReturnedValueField(
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = ReturnedValueField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started"].initial = _signer().sign(str(int(time.time())))

    def looks_automated(self) -> bool:
        if self.cleaned_data.get("website"):
            return True
        if not settings.FORM_MIN_FILL_SECONDS:
            return False
        try:
            shown_at = int(_signer().unsign(self.cleaned_data.get("started") or ""))
        except (signing.BadSignature, ValueError):
            return True
        return time.time() - shown_at < settings.FORM_MIN_FILL_SECONDS


class PublicFormMixin:
    """For a FormView whose form is a HumanCheckForm. Call refusal() first
    in form_valid and return what it returns, if anything."""

    def refusal(self, form, *, done_url: str, group: str, limits: tuple[str, str], email: str):
        """A bot is answered as if the form had worked (a redirect to
        `done_url`) and nothing is saved; over `limits` (per address, per
        email) the form comes back with what was typed, an error and 429.
        None: go on."""
        if form.looks_automated():
            return redirect(done_url)
        per_address, per_email = limits
        request = self.request
        if rate_limited(request, group=f"{group}-address", rate=per_address) or rate_limited(
            request, group=f"{group}-email", key=email.strip().casefold(), rate=per_email
        ):
            form.add_error(None, TOO_MANY_ATTEMPTS)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return None


def _signer() -> signing.Signer:
    return signing.Signer(salt="core.antispam.form-started")


def human_check_layout():
    """The crispy layout pieces for HumanCheckForm's two fields."""
    from crispy_forms_gds.layout import Div, Field

    return [
        Div(Field.text("website"), css_class="app-hp", aria_hidden="true"),
        Field("started"),
    ]
