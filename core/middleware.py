"""Middleware every request passes: the load balancer's /healthz, private pages never
cached, requests with a NUL byte refused before any view, form or query sees them, and the
signed-in member read with the session."""

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import middleware as auth_middleware
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject
from django_htmx.http import reswap

from core import health, sessions


class HealthCheckMiddleware:
    """`GET /healthz` for the load balancer: 200 when the database (and Redis, when configured)
    answer, else 503. First in MIDDLEWARE, so the probe needs no allowed Host, no HTTPS redirect,
    no session and no user, and never reaches a rate limit."""

    PATH = "/healthz"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != self.PATH:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        down = health.unavailable_services()
        if down:
            response = HttpResponse(
                "unavailable: " + ", ".join(down) + "\n", status=503, content_type="text/plain"
            )
            response["Retry-After"] = str(settings.OUTAGE_RETRY_AFTER)
        else:
            response = HttpResponse("ok\n", content_type="text/plain")
        patch_cache_control(response, no_store=True)
        return response


class PrivatePagesMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in member: their inbox,
    threads, compose window, My Premium, settings, network, profile edit, home and the admin
    show private data, and neither a shared proxy nor the browser's disk may keep it.

    Server errors are left alone: they show nothing private, and during a database outage
    asking who the user is would only fail again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 500 and request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


NUL = "\x00"
NUL_REFUSED = (
    "This request contains a NUL character (\\0), which no address, search or form field "
    "accepts. Remove it and try again."
)


def _has_nul(request) -> bool:
    if NUL in request.path or any(NUL in value for value in request.COOKIES.values()):
        return True
    # Only a form's own encodings: reading request.POST of other bodies parses nothing.
    data = [request.GET]
    if request.method == "POST":
        data.append(request.POST)
    return any(
        NUL in name or any(NUL in value for value in values)
        for query in data
        for name, values in query.lists()
    )


class RejectNulBytesMiddleware:
    """Answer 400 to any path, query parameter, form field or cookie holding a NUL byte.

    PostgreSQL can't store or even compare text containing NUL (the query fails: a 500), and
    SQLite would store it. No legitimate request has one, so it is refused at the door for
    the whole site (views, the admin's lists and autocomplete), not field by field.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _has_nul(request):
            return self.get_response(request)
        # This runs before django-htmx's middleware has set request.htmx.
        htmx = request.headers.get("HX-Request") == "true"
        template = "core/bad_request.html#notice" if htmx else "core/bad_request.html"
        response = render(request, template, {"message": NUL_REFUSED}, status=400)
        return reswap(response, "afterbegin") if htmx else response


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with the member read in the same query as the session (core.sessions):
    django.contrib.auth still loads `request.user` through the backend and checks the
    session's hash against the member's password, as it does with Django's. A page (a GET
    that htmx did not send) reads its top bar's counts in that query too."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))
        if request.method in ("GET", "HEAD") and request.headers.get("HX-Request") != "true":
            sessions.read_ahead(request)


def _user(request):
    if not hasattr(request, "_cached_user"):
        loading = sessions.loading.set(request.session)
        try:
            request._cached_user = auth.get_user(request)
        finally:
            sessions.loading.reset(loading)
    return request._cached_user
