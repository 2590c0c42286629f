"""Keeping bots and floods off the public forms without a CAPTCHA (GOV.UK
advice): a rate limit per address (and per email where a form has one), a
honeypot field people never see, and a signed start time.

No check ever drops a person. Only the honeypot, which no person fills, is
answered as if the form had worked while nothing is done. A form sent too
soon after it was shown (phone autofill is that quick), from a page older
than FORM_MAX_AGE_SECONDS, with a start time that is not ours, or with one
already used for another address, comes back with what was typed and
"Check your answers and send again"; the page it comes back on carries a
fresh start time that needs no waiting, so sending again works. A form
that is limited keeps what was typed and says when to try again."""

import logging
import secrets
import time
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.shortcuts import redirect
from django.utils.crypto import salted_hmac
from django_ratelimit.core import is_ratelimited

from .forms import ReturnedValueField
from .lockout import client_network

logger = logging.getLogger(__name__)

TOO_MANY_ATTEMPTS = (
    "You have sent this form too many times. Wait 10 minutes, then try again: "
    "what you typed is still here."
)
SEND_AGAIN = "Check your answers and send again"
CLOCK_SKEW_SECONDS = 60
FORM_KEY_SALT = "core.antispam.form-key"


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
    shown and a random id of its own. After is_valid(): looks_automated(),
    then start_is_acceptable(); ask_to_send_again() when it is not."""

    website = ReturnedValueField(
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = ReturnedValueField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started"].initial = new_start()

    def looks_automated(self) -> bool:
        """The honeypot is filled: no person does that."""
        return bool(self.cleaned_data.get("website"))

    def start_is_acceptable(self, *, sender: str) -> bool:
        """Whether the signed start time is ours, shown long enough ago
        (or on a page that already asked to send again), not older than
        FORM_MAX_AGE_SECONDS, and not used before for another `sender`
        (the address typed, or what the form is limited per). With
        FORM_MIN_FILL_SECONDS at 0 the start time is not checked."""
        if not settings.FORM_MIN_FILL_SECONDS:
            return True
        start = _read_start(self.cleaned_data.get("started") or "")
        if start is None:
            return False
        age = time.time() - start.shown_at
        # A minute's grace for clocks that differ between web servers.
        if not -CLOCK_SKEW_SECONDS <= age <= settings.FORM_MAX_AGE_SECONDS:
            return False
        if age < settings.FORM_MIN_FILL_SECONDS and not start.second_look:
            return False
        return _bind_start(start.nonce, sender=sender)

    def form_key(self) -> str:
        """A keyed hash of the page's own random id: the same for the same
        page sent twice (a double tap, a retry after a lost answer), another
        for every page shown; "" when the form carries no start of ours."""
        start = _read_start(self.cleaned_data.get("started") or "")
        if start is None:
            return ""
        return salted_hmac(FORM_KEY_SALT, start.nonce, algorithm="sha256").hexdigest()

    def ask_to_send_again(self) -> None:
        """Say so in the error summary and give the page a fresh start
        time, one that needs no waiting: what was typed stays."""
        self.add_error(None, SEND_AGAIN)
        data = self.data.copy()
        data[self.add_prefix("started")] = new_start(second_look=True)
        self.data = data


class PublicFormMixin:
    """For a FormView whose form is a HumanCheckForm. Call refusal() first
    in form_valid and return what it returns, if anything."""

    def refusal(self, form, *, done_url: str, group: str, limits: tuple[str, str], email: str):
        """A filled honeypot is answered as if the form had worked (a
        redirect to `done_url`) and nothing is saved; a start time that
        does not pass brings the form back, as typed, to send again; over
        `limits` (per address, per email) the form comes back with what was
        typed, an error and 429. None: go on."""
        if form.looks_automated():
            return redirect(done_url)
        email_key = email.strip().casefold()
        if not form.start_is_acceptable(sender=f"{group}:{email_key}"):
            form.ask_to_send_again()
            return self.form_invalid(form)
        per_address, per_email = limits
        request = self.request
        if rate_limited(request, group=f"{group}-address", rate=per_address) or rate_limited(
            request, group=f"{group}-email", key=email_key, rate=per_email
        ):
            form.add_error(None, TOO_MANY_ATTEMPTS)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return None


@dataclass(frozen=True)
class Start:
    shown_at: int
    nonce: str
    second_look: bool


def new_start(*, second_look: bool = False, shown_at: float | None = None) -> str:
    """A signed start time for a form shown now (or at `shown_at`): when, a
    random id, and whether the page already asked to check and send again."""
    shown_at = time.time() if shown_at is None else shown_at
    nonce = secrets.token_hex(12)
    return _signer().sign(f"{int(shown_at)}.{nonce}.{int(second_look)}")


def _read_start(value: str) -> Start | None:
    try:
        shown_at, nonce, second_look = _signer().unsign(value).split(".")
        return Start(int(shown_at), nonce, second_look == "1")
    except (signing.BadSignature, ValueError):
        return None


def _bind_start(nonce: str, *, sender: str) -> bool:
    """The first sender to use a start time keeps it until it is too old to
    pass: the same form sent twice (a double click) goes through, one start
    time replayed for many addresses does not. Only a keyed hash of the
    sender is kept, in the cache. Fails open, like the rate limits."""
    key = f"antispam:start:{nonce}"
    sender_hash = salted_hmac("core.antispam.start-sender", sender).hexdigest()
    try:
        if cache.add(key, sender_hash, timeout=settings.FORM_MAX_AGE_SECONDS):
            return True
        return cache.get(key) == sender_hash
    except Exception:  # noqa: BLE001 - Django's Redis cache raises anything when down
        logger.warning("Start time not bound: the cache is unavailable", exc_info=True)
        return True


def _signer() -> signing.Signer:
    return signing.Signer(salt="core.antispam.form-started")


def human_check_layout():
    """The crispy layout pieces for HumanCheckForm's two fields."""
    from crispy_forms_gds.layout import Div, Field

    return [
        Div(Field.text("website"), css_class="app-hp", aria_hidden="true"),
        Field("started"),
    ]
