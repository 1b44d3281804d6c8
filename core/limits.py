"""Rate limits: django-ratelimit's counters in the shared cache, and django-axes' sign-in lockout.

A view calls `limit(request, "message", key=...)` before it writes anything. Each call counts
one attempt in the cache (Redis in production, see settings.RATE_LIMITS); past the limit it
raises `RateLimited`, which django-ratelimit's middleware answers with `rate_limited`: a 429
page saying what was limited and when to try again. Nothing else is stored.
"""

from datetime import timedelta

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django_htmx.http import reswap
from django_ratelimit.core import _split_rate, get_usage
from django_ratelimit.exceptions import Ratelimited

from core import errors
from core.http import with_error_headers

# What each limit stops, as the member reads it: "{limit} {per}" is e.g. "60 an hour".
WHAT = {
    "signup": "Too many accounts were created from your network: at most {limit} {per}.",
    "password_reset_email": (
        "Too many password reset emails were asked for this address: at most {limit} {per}."
    ),
    "password_reset_ip": (
        "Too many password reset emails were asked for from your network: at most {limit} {per}."
    ),
    "invitation": "You've sent as many invitations as you can: at most {limit} {per}.",
    "message": "You've sent as many messages as you can for now: at most {limit} {per}.",
    "open_profile": (
        "You've sent as many free messages to Open Profiles as you can: at most {limit} {per}."
    ),
    "typing": "Too many typing signals: at most {limit} {per}.",
}
PERIODS = {60: "a minute", 3600: "an hour", 86400: "a day", 7 * 86400: "a week"}


def _per(seconds: int) -> str:
    return PERIODS.get(seconds) or f"every {timedelta(seconds=seconds)}"


class RateLimited(errors.RateLimited, Ratelimited):
    """A limit was reached: `message` says which, `retry_after` in how many seconds it lifts.

    The domain's RateLimited (a view catching DomainError answers it with 429 too) and
    django-ratelimit's Ratelimited (its middleware answers the rest with `rate_limited`).
    """

    def __init__(self, *, name: str, retry_after: int):
        limit, period = _split_rate(settings.RATE_LIMITS[name])
        self.name = name
        super().__init__(WHAT[name].format(limit=limit, per=_per(period)), retry_after=retry_after)


def client_ip(request) -> str:
    """The client's address, for both libraries. Behind a proxy, the ASGI server must be told
    to trust its X-Forwarded-For (see the README), so that this is the client, not the proxy."""
    return request.META.get("REMOTE_ADDR") or "unknown"


def limit(request, name: str, *, key: str) -> None:
    """Count one attempt at `name` for `key` (a member's id, an address, an email); raise
    RateLimited once the attempts in the current window exceed settings.RATE_LIMITS[name]."""
    usage = get_usage(
        request,
        group=f"inmail.{name}",
        key=lambda _group, _request: key,
        rate=settings.RATE_LIMITS[name],
        increment=True,
    )
    if usage is not None and usage["should_limit"]:
        raise RateLimited(name=name, retry_after=max(usage["time_left"], 1))


def rate_limited(request, exception):
    """RATELIMIT_VIEW: the 429 page, or for htmx its notice, put at the top of the element the
    request targets (the compose window, a member's buttons, the thread), which stays as it was."""
    if not isinstance(exception, RateLimited):  # a @ratelimit decorator's own refusal
        exception = RateLimitedUnknown()
    context = {
        "message": exception.message,
        "retry_at": timezone.now() + timedelta(seconds=exception.retry_after),
    }
    template = "core/rate_limited.html#notice" if request.htmx else "core/rate_limited.html"
    response = with_error_headers(render(request, template, context, status=429), exception)
    return reswap(response, "afterbegin") if request.htmx else response


class RateLimitedUnknown(errors.RateLimited):
    def __init__(self):
        super().__init__("Too many requests.", retry_after=60)


# django-axes


def signin_email(request, credentials) -> str:
    """AXES_USERNAME_CALLABLE: the account an attempt is for, as sign-in matches it."""
    source = credentials if credentials is not None else request.POST
    return (source.get("username") or "").strip().lower()
