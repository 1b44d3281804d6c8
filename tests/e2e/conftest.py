"""Real-browser tests: Playwright driving Chromium against Django's live server.

The system Chromium (Debian's `chromium` package) is used when present, since Playwright's
own browser download needs the internet. Where neither exists the tests are skipped on a
developer's machine, but fail under CI (the CI variable set): browser tests must run there.
"""

import os
import shutil

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# tests themselves (fixtures, assertions) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _system_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import Error, sync_playwright

    executable = os.environ.get("CHROMIUM_PATH") or _system_chromium()
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Error as error:
            message = f"No Chromium for the browser tests ({error.message.splitlines()[0]})."
            if os.environ.get("CI"):
                pytest.fail(message + " CI must run them: install Debian's chromium.")
            pytest.skip(message + " Install chromium or run `playwright install chromium`.")
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, premium_plans):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, email, password):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
