"""`make run` (DEBUG on) adds django-htmx's development script, under the same CSP; production
does not. Every journey runs in both modes (conftest's `site_mode`)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.pages import sign_in
from tests.factories import PASSWORD, MemberFactory, subscribe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_refused_form_is_swapped_in_not_shown_as_the_whole_page(page, site_mode):
    sender = MemberFactory(email="nina@example.com", first_name="Nina")
    subscribe(sender)
    stranger = MemberFactory(first_name="Omar", last_name="Haddad")

    sign_in(page, "nina@example.com", PASSWORD)
    page.goto(f"/in/{stranger.slug}/")
    debug_script = page.locator("script[src*='django-htmx.js']")
    expect(debug_script).to_have_count(1 if site_mode == "development" else 0)
    page.get_by_role("link", name="Message").first.click()
    page.get_by_label("Subject").fill("   ")
    page.get_by_label("Message").fill("   ")
    page.get_by_role("button", name="Send").click()

    # The 400 fragment is in the compose window, over the profile, with the top bar still there.
    expect(page.locator("#overlay .error")).to_be_visible()
    expect(page.locator("header.topbar")).to_be_visible()
    expect(page.get_by_role("heading", name="Omar Haddad")).to_be_visible()
