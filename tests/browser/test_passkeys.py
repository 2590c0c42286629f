"""A member of staff without a second factor sets up a passkey at first
sign-in, then signs in with it: in Chromium, with a virtual authenticator
added through the DevTools protocol (WebAuthn.addVirtualAuthenticator), the
site's Content Security Policy and Permissions-Policy enforced (any
violation or script error fails the test)."""

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from tests.support.staff import make_staff_user

from .conftest import TIMEOUT_MS, VIEWPORTS
from .support import BrowserProblems

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
EMAIL = "sam.patel@herts.example.org"
PASSWORD = "passkey-journey-password-1"


@pytest.fixture
def passkey_site(settings, live_server):
    """Passkeys belong to a host name: the live server's, for this test."""
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    assert live_server.url.startswith("http://localhost:")
    return live_server


@pytest.fixture
def staff_member(transactional_db):
    return make_staff_user(username=EMAIL, password=PASSWORD)


@pytest.fixture
def page(browser, passkey_site):
    problems = BrowserProblems()
    context = browser.new_context(base_url=passkey_site.url, **VIEWPORTS["desktop"])
    context.set_default_timeout(TIMEOUT_MS)
    problems.watch(context)
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield page
    context.close()
    problems.assert_none()


def sign_in_with_password(page):
    page.goto("/admin/")
    page.get_by_label("Username").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_set_up_a_passkey_at_first_sign_in_then_sign_in_with_it(page, staff_member):
    sign_in_with_password(page)

    # First sign-in: nothing of the admin until a second factor is set up.
    expect(page.locator("h1")).to_have_text("Set up a second way to sign in")
    page.get_by_role("button", name="Set up a passkey").click()

    # Registered: the recovery codes, shown once.
    expect(page.locator("h1")).to_have_text("Your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    credential = WebAuthnCredential.objects.get(user=staff_member)
    assert credential.confirmed
    assert StaticToken.objects.filter(device__user=staff_member).count() == 10
    page.get_by_role("link", name="I have saved them: continue").click()
    expect(page.locator("h1")).to_have_text("Run insight events")

    # Sign out, and in again: password, then the passkey.
    page.get_by_role("button", name="Log out").click()
    sign_in_with_password(page)
    expect(page.locator("h1")).to_have_text("Check it is you")
    page.get_by_role("button", name="Use my passkey").click()
    page.wait_for_url("**/admin/")
    expect(page.locator("h1")).to_have_text("Run insight events")
    credential.refresh_from_db()
    assert credential.last_used_at is not None
