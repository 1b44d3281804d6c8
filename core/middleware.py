from django.conf import settings
from django.http import HttpResponse, HttpResponseNotAllowed
from django.utils.cache import patch_cache_control

from core import health


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
