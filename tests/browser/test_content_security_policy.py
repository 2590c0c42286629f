"""Every public page runs under the site's strict Content Security Policy
(script-src 'self', style-src 'self') with nothing blocked: no inline
script or style anywhere, and GOV.UK Frontend's JavaScript still starts."""

import pytest

from .support import PUBLIC_PAGES, visit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_every_public_page_loads_with_no_csp_violation_and_working_javascript(page, problems, site):
    policy = page.request.get("/").headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy

    for public_page in PUBLIC_PAGES:
        visit(page, site, public_page)
        assert page.locator("body.govuk-frontend-supported").count() == 1, public_page.name
        assert page.locator("[data-govuk-skip-link-init]").count() == 1, public_page.name
        assert not problems.found, f"{public_page.name}: {problems.found}"


@pytest.mark.parametrize("viewport", ["desktop"])
def test_a_blocked_inline_script_would_be_caught(page, problems, viewport):
    page.goto("/privacy/")

    with pytest.raises(Exception, match="Content Security Policy"):
        page.add_script_tag(content="document.title = 'inline';")

    page.wait_for_timeout(100)  # the console message may come a moment later
    assert any("Content Security Policy" in problem for problem in problems.found)
    problems.found.clear()
