"""axe-core on every public page and error state, at a phone and a desktop
viewport: no violations at WCAG 2.2 AA, and no sideways scrolling. Each page
is also photographed into var/screenshots/ for people to look at (not
compared: a screenshot diff would fail on every change of copy)."""

import pytest

from .support import PUBLIC_PAGES, SCREENSHOTS, axe_violations, describe_violations, visit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCROLLS_SIDEWAYS = "() => document.documentElement.scrollWidth > window.innerWidth"


def test_every_public_page_has_no_wcag_22_aa_violations(axe_page, site, viewport):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []

    for public_page in PUBLIC_PAGES:
        visit(axe_page, site, public_page)
        axe_page.screenshot(path=SCREENSHOTS / f"{public_page.name}-{viewport}.png", full_page=True)
        problems += describe_violations(public_page.name, axe_violations(axe_page))
        if axe_page.evaluate(SCROLLS_SIDEWAYS):
            problems.append(f"{public_page.name}: the page scrolls sideways (WCAG 1.4.10)")

    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("viewport", ["desktop"])
def test_axe_finds_a_violation_when_there_is_one(axe_page, viewport):
    axe_page.set_content(
        '<html lang="en"><title>Broken</title><main><img src="/x.png"></main></html>'
    )

    violations = axe_violations(axe_page)

    assert [violation["id"] for violation in violations] == ["image-alt"]
