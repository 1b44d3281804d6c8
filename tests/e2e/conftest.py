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


# Every page reports what its Content-Security-Policy refused, to the test through an exposed
# function (the init script runs in every document, before the page's own scripts).
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation({
    page: event.documentURI,
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    sample: event.sample,
  });
});
"""


@pytest.fixture(autouse=True, params=["production", "development"])
def site_mode(request, settings):
    """Every journey runs against both ways the site is served: DEBUG off as in production,
    and DEBUG on as `make run` serves it, where django-htmx adds its debug script (which
    swaps some error responses in as the whole document), so a bug of one mode cannot hide."""
    settings.DEBUG = request.param == "development"
    return request.param


@pytest.fixture
def csp_violations():
    """What the CSP refused on any page of the test: `page` fails the test unless it is empty."""
    return []


# The live tests read what each page's stream brought (inmail.stream).
RECORD_LIVE_EVENTS = """
document.addEventListener("live:message", (event) => {
  (window.liveEvents = window.liveEvents || []).push(event.detail.data);
  document.documentElement.dataset.liveEvents = window.liveEvents.length;
});
"""


def _open_page(browser, base_url, csp_violations):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    context.expose_function("reportCspViolation", lambda report: csp_violations.append(report))
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    context.add_init_script(RECORD_LIVE_EVENTS)
    page = context.new_page()
    # Chromium also logs each refusal to the console, even when the event cannot reach us.
    page.on(
        "console",
        lambda message: (
            csp_violations.append({"page": page.url, "console": message.text})
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return context, page


@pytest.fixture
def page(browser, live_server, premium_plans, csp_violations):
    context, page = _open_page(browser, live_server.url, csp_violations)
    yield page
    context.close()
    if csp_violations:
        pytest.fail(f"The Content-Security-Policy refused something: {csp_violations}")


@pytest.fixture
def open_page(browser, csp_violations):
    """`open_page(base_url)`: a page in a browser context of its own (another member's
    browser), closed after the test, which fails on any CSP refusal in any of them."""
    contexts = []

    def open_(base_url):
        context, page = _open_page(browser, base_url, csp_violations)
        contexts.append(context)
        return page

    yield open_
    for context in contexts:
        context.close()
    if csp_violations:
        pytest.fail(f"The Content-Security-Policy refused something: {csp_violations}")


@pytest.fixture
def asgi_server(site_mode, premium_plans):
    """The site served by uvicorn (tests/e2e/servers.py), in the test's site mode, with live
    events in the process's memory as under `make run`."""
    from tests.e2e.servers import AsgiServer, environment

    server = AsgiServer(environment(mode=site_mode))
    yield server
    server.stop()
