"""Browser tests: Playwright driving Debian's Chromium against pytest-django's
live_server, at a phone and a desktop viewport.

Every test here uses live_server, so pytest-django runs them with a
transactional database after the ordinary database tests."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from core.groups import WORKFORCE_DEVELOPMENT
from tests.support.staff import make_staff_user

from .support import AXE_JS, STAFF_EMAIL, STAFF_PASSWORD, BrowserProblems, SiteData, build_site

# Debian's package: Playwright's own browser download is not available here.
# `.ci/run` installs it; a missing browser fails the run, it never skips.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
    "--disable-sync",
]
VIEWPORTS = {
    "phone": {"viewport": {"width": 360, "height": 800}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}
# Fail fast: a page that answers at all answers within a second or two here.
TIMEOUT_MS = 5_000


@pytest.fixture(scope="package")
def browser():
    """One Chromium for all the browser tests; each test gets its own context.

    Package rather than session scope: Playwright's sync API keeps an asyncio
    event loop running in the main thread for as long as it is started, and
    the rest of the suite should run without one."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (.ci/run does)")
    # While that loop runs, Django's async-safety check refuses every ORM call
    # from the test thread (SynchronousOnlyOperation), although the test code is
    # plain synchronous code and never runs inside the loop. Allow it for
    # exactly as long as Playwright runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request):
    return request.param


def _new_context(browser, live_server, viewport, **options):
    context = browser.new_context(base_url=live_server.url, **VIEWPORTS[viewport], **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def problems():
    return BrowserProblems()


@pytest.fixture
def context(browser, live_server, viewport, problems):
    """A fresh browser profile with the site's Content Security Policy
    enforced. Any CSP violation, JavaScript error or failed request for an
    asset fails the test at teardown."""
    context = _new_context(browser, live_server, viewport)
    problems.watch(context)
    yield context
    context.close()
    problems.assert_none()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def axe_page(browser, live_server, viewport):
    """A page whose Content Security Policy is bypassed, for the axe-core
    tests only: Playwright injects axe as an inline script, which the site's
    script-src 'self' rightly blocks. test_content_security_policy.py checks
    the same pages with the policy enforced."""
    context = _new_context(browser, live_server, viewport, bypass_csp=True)
    # axe-core is in every page the context opens: sent to the browser once
    # here rather than half a megabyte with each page checked (axe_violations).
    context.add_init_script(path=AXE_JS)
    yield context.new_page()
    context.close()


@pytest.fixture
def site(transactional_db) -> SiteData:
    return build_site()


@pytest.fixture
def staff_member(transactional_db):
    return make_staff_user(
        username=STAFF_EMAIL, password=STAFF_PASSWORD, group=WORKFORCE_DEVELOPMENT
    )
