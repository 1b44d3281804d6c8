"""Every page under the Content-Security-Policy in Chromium: nothing is refused.

The `page` fixture fails any browser test whose pages the CSP refused something on, so the
journeys check their own pages; this tour covers the pages they don't pass through.
"""

import re
import time

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.text import DEMO_PASSWORD
from tests.e2e.pages import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def visit(page, url):
    response = page.goto(url)
    assert response.status < 500, url
    return response


def test_the_browser_tests_notice_what_the_csp_refuses(page, csp_violations):
    visit(page, "/accounts/login/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
          document.body.setAttribute("style", "color: red");
        }"""
    )
    deadline = time.monotonic() + 5
    directives = set()
    while len(directives) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
        directives = {v["directive"] for v in csp_violations if "directive" in v}
    assert {"script-src-elem", "style-src-attr"} <= directives
    assert page.evaluate("window.injected") is None
    # Seen: the fixture would fail this test for them otherwise.
    csp_violations.clear()


def test_every_page_signed_out_and_as_a_premium_member(page):
    call_command("seed_demo", "--members", "40", stdout=None)

    for url in ("/", "/accounts/login/", "/signup/", "/accounts/password_reset/", "/nowhere/"):
        visit(page, url)

    sign_in(page, "essentials@example.com", DEMO_PASSWORD)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    for url in (
        "/",
        "/mynetwork/",
        "/me/",
        "/me/edit/",
        "/settings/",
        "/premium/",
        "/premium/plans/premium-pro/",
        "/premium/cancel/",
        "/accounts/password_change/",
        "/search/?q=a",
        "/messaging/?filter=inmail",
        "/in/nobody-here/",
    ):
        visit(page, url)

    # The inbox, a conversation swapped in by htmx, then the same conversation as a page.
    visit(page, "/messaging/")
    page.locator(".conversations a[href*='/messaging/thread/']").first.click()
    expect(page).to_have_url(re.compile(r"/messaging/thread/\d+/"))
    visit(page, page.url)

    # Search as you type (htmx), a profile, the compose window over the results (htmx) and as
    # a page.
    visit(page, "/search/")
    page.get_by_role("searchbox", name="Search by name or headline").fill("engineer")
    page.wait_for_load_state("networkidle")
    visit(page, "/search/?q=a")
    visit(page, page.locator("#results .members a[href^='/in/']").first.get_attribute("href"))
    visit(page, "/search/?q=a")
    message = page.locator("#results").get_by_role("link", name="Message").first
    compose = message.get_attribute("href")
    message.click()
    expect(page.locator("#overlay")).not_to_be_empty()
    visit(page, compose)
