"""Staff sign in with a password and then a second factor: a code from an
authenticator app, a passkey (tests/browser/test_passkeys.py) or a
single-use recovery code. A staff user without one sets it up at first
sign-in. Until then no admin page answers."""

import io
import re
from base64 import b32decode
from html.parser import HTMLParser

import pytest
import segno
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.groups import ensure_staff_groups
from staff import accounts
from staff.two_factor import WRONG_CODE
from tests.factories import EventFactory, RegistrationFactory
from tests.support.staff import authenticator_app, current_code, make_staff_user, sign_in_staff

pytestmark = pytest.mark.django_db

EMAIL = "jo@herts.example.org"
PASSWORD = "right-password-123"
LOGIN = "/admin/login/?next=/admin/"
SECOND_FACTOR = "/admin/second-factor/"
SET_UP = "/admin/second-factor/set-up/"


@pytest.fixture
def staff(db):
    ensure_staff_groups()
    return make_staff_user(username=EMAIL, password=PASSWORD)


@pytest.fixture
def app(staff):
    return authenticator_app(staff)


def password(client, *, secret=PASSWORD, username=EMAIL, address="10.0.0.1"):
    return client.post(
        LOGIN, {"username": username, "password": secret, "next": "/admin/"}, REMOTE_ADDR=address
    )


def code(client, value, *, address="10.0.0.1"):
    return client.post(
        f"{SECOND_FACTOR}?next=/admin/", {"code": value, "next": "/admin/"}, REMOTE_ADDR=address
    )


def test_after_the_password_the_admin_asks_for_the_second_factor(client, app):
    response = password(client)

    assert response.status_code == 302
    assert response["Location"] == f"{SECOND_FACTOR}?next=%2Fadmin%2F"
    assert client.get("/admin/").status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Check it is you" in page.content.decode()
    assert "no-store" in page["Cache-Control"]


def test_signing_in_with_the_code_from_the_app(client, app):
    password(client)

    response = code(client, current_code(app))

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused_at_the_field(client, app):
    password(client)
    right = current_code(app)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    response = code(client, wrong)

    assert response.status_code == 200
    assert WRONG_CODE in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_after_wrong_codes_in_a_row_the_page_says_how_long_to_wait(client, app):
    # As django-otp leaves the app after four wrong codes, each typed after
    # the wait the one before asked for: the next code waits 8 seconds.
    app.throttling_failure_count = 4
    app.throttling_failure_timestamp = timezone.now()
    app.save()
    password(client)

    refused = code(client, current_code(app))  # right, but too soon

    assert refused.status_code == 200
    assert "Wait 8 seconds, then type the code your app shows" in refused.content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_code_is_asked_for_when_none_is_typed(client, app):
    password(client)

    response = code(client, "  ")

    assert response.status_code == 200
    assert "Enter the code" in response.content.decode()


def test_a_recovery_code_works_once(client, app, staff):
    codes = accounts.replace_recovery_codes(staff)
    password(client)

    first = code(client, codes[0].upper())
    client.post("/admin/logout/")
    again = Client()
    password(again)
    second = code(again, codes[0])

    assert first.status_code == 302
    assert first["Location"] == "/admin/"
    assert second.status_code == 200
    assert WRONG_CODE in second.content.decode()
    assert StaticToken.objects.filter(device__user=staff).count() == 9


def secret_on(page: str) -> str:
    return re.search(r'class="app-totp-secret">([A-Z2-7 ]+)<', page).group(1)


def qr_code_on(page: str) -> str:
    return re.search(r'src="(data:image/png;base64,[^"]+)"', page).group(1)


def padded(secret: str) -> str:
    """The base32 key as shown (groups of four, no padding), ready to decode."""
    secret = secret.replace(" ", "")
    return secret + "=" * (-len(secret) % 8)


def code_for(secret: str) -> str:
    """What an app that scanned `secret` shows now."""
    return f"{totp(b32decode(padded(secret))):06d}"


def test_first_sign_in_sets_up_an_app_then_shows_recovery_codes_once(client, staff):
    response = password(client)
    set_up = client.get(response["Location"], follow=True)
    page = set_up.content.decode()
    secret = secret_on(page)

    assert set_up.redirect_chain[-1][0].startswith(SET_UP)
    assert qr_code_on(page)
    assert "no-store" in set_up["Cache-Control"]
    assert client.get("/admin/").status_code == 302

    reload = client.get(set_up.redirect_chain[-1][0])
    assert secret in reload.content.decode()  # the same secret: a scanned code still works

    done = client.post(f"{SET_UP}?next=/admin/", {"code": code_for(secret), "next": "/admin/"})
    shown = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())

    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]
    assert len(shown) == 10
    assert sorted(shown) == sorted(StaticToken.objects.values_list("token", flat=True))
    assert TOTPDevice.objects.get(user=staff).confirmed
    assert client.get("/admin/").status_code == 200
    # Shown once: the page for them later only counts them.
    later = client.get("/admin/second-factor/recovery-codes/").content.decode()
    assert not any(value in later for value in shown)
    assert "<strong>10</strong> unused recovery codes" in later


def test_setting_up_with_a_wrong_code_says_so_and_sets_nothing_up(client, staff):
    password(client)
    secret = secret_on(client.get(SET_UP).content.decode())
    wrong = f"{(int(code_for(secret)) + 1) % 1_000_000:06d}"

    response = client.post(SET_UP, {"code": wrong})

    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not accounts.has_second_factor(staff)
    assert client.get("/admin/").status_code == 302


def test_reloading_the_set_up_page_writes_nothing_and_keeps_the_qr_code(client, staff):
    password(client)
    pages = [client.get(SET_UP).content.decode() for _ in range(3)]

    assert not TOTPDevice.objects.filter(user=staff).exists()  # showing it saved nothing
    assert (
        len({qr_code_on(page) for page in pages}) == len({secret_on(page) for page in pages}) == 1
    )
    # The QR code is the app's otpauth:// address with the key typed beside it.
    key = b32decode(padded(secret_on(pages[0]))).hex()
    app = TOTPDevice(user=staff, name=accounts.APP_DEVICE_NAME, key=key)
    assert qr_code_on(pages[0]) == segno.make(app.config_url, error="m").png_data_uri(
        scale=5, border=2
    )

    done = client.post(SET_UP, {"code": code_for(secret_on(pages[-1]))})

    assert done.status_code == 200  # the recovery codes
    [device] = TOTPDevice.objects.filter(user=staff)
    assert device.confirmed
    assert client.get("/admin/").status_code == 200


def test_the_same_set_up_code_sent_twice_saves_one_app(client, staff):
    password(client)
    secret = secret_on(client.get(SET_UP).content.decode())
    key = b32decode(padded(secret)).hex()

    first = accounts.confirm_totp_enrolment(staff, key=key, code=code_for(secret))
    again = accounts.confirm_totp_enrolment(staff, key=key, code=code_for(secret))

    assert first == again
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_signing_out_half_way_through_signing_in(client, app):
    password(client)

    response = client.post("/admin/logout/")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_user_with_an_app_cannot_skip_to_setting_up_another(client, app):
    password(client)

    response = client.get(SET_UP)

    assert response.status_code == 302
    assert response["Location"].startswith(SECOND_FACTOR)


def test_new_recovery_codes_end_the_old_ones(client, staff):
    old = accounts.replace_recovery_codes(staff)
    sign_in_staff(client, staff)

    response = client.post("/admin/second-factor/recovery-codes/", {"next": "/admin/"})
    new = re.findall(r"<li><code>([a-z2-7]+)</code></li>", response.content.decode())

    assert len(new) == 10
    assert not set(old) & set(StaticToken.objects.values_list("token", flat=True))


def test_the_second_factor_pages_need_the_password_first(client, app):
    for path in (SECOND_FACTOR, SET_UP, "/admin/second-factor/recovery-codes/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_the_next_page_is_kept_and_only_on_this_site(client, app):
    client.post(
        "/admin/login/?next=/admin/events/event/",
        {"username": EMAIL, "password": PASSWORD, "next": "/admin/events/event/"},
    )
    onward = client.post(SECOND_FACTOR, {"code": current_code(app), "next": "/admin/events/event/"})
    other = Client()
    other.post(LOGIN, {"username": EMAIL, "password": PASSWORD, "next": "https://evil.example/"})
    away = other.post(SECOND_FACTOR, {"code": current_code(app), "next": "https://evil.example/"})

    assert onward["Location"] == "/admin/events/event/"
    assert away["Location"] == "/admin/"


def test_an_administrator_resets_a_lost_second_factor(client, staff, app):
    accounts.replace_recovery_codes(staff)
    sign_in_staff(client, staff)
    assert client.get("/admin/").status_code == 200

    output = io.StringIO()
    call_command("reset_second_factor", EMAIL, stdout=output)

    assert client.get("/admin/").status_code == 302  # that session no longer counts
    fresh = Client()
    response = password(fresh)
    assert fresh.get(response["Location"], follow=True).redirect_chain[-1][0].startswith(SET_UP)
    assert not StaticToken.objects.filter(device__user=staff).exists()
    assert "Deleted 2 second-factor device(s)" in output.getvalue()


# Every admin page, without the second factor --------------------------------


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: set[str] = set()

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith("/admin/") and "logout" not in href:
            self.found.add(href.split("#")[0])


def links(html: str) -> set[str]:
    parser = Links()
    parser.feed(html)
    return parser.found


def admin_pages(client) -> set[str]:
    """Every admin path the index links to, and every admin path those
    pages link to (change forms, custom views, filters), as a superuser
    who passed the second factor sees them."""
    first = links(client.get("/admin/").content.decode())
    pages = set(first)
    for path in first:
        response = client.get(path)
        if response.status_code == 200 and "text/html" in response["Content-Type"]:
            pages |= links(response.content.decode())
    return pages


def test_a_staff_login_without_the_second_factor_reaches_no_admin_page(client, app):
    event = EventFactory(title="Tuesday insight evening")
    RegistrationFactory(event=event)
    root = make_staff_user(username="root", superuser=True, password=PASSWORD)
    pages = admin_pages(sign_in_staff(Client(), root))
    assert len(pages) > 20, pages
    assert f"/admin/events/event/{event.pk}/change/" in pages

    root_password_only = Client()
    password(root_password_only, username="root")
    password(client)

    for half_signed_in in (client, root_password_only):
        for path in sorted(pages):
            response = half_signed_in.get(path)
            assert response.status_code in (301, 302), (path, response.status_code)
            assert response["Location"].startswith(("/admin/login/", SECOND_FACTOR)), path
