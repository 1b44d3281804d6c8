"""The HTTP side of every app: domain errors as status codes, and pages as htmx fragments.

This is the one place that knows which status a refusal answers with; services raise
`core.errors` and never name a status.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from core.errors import (
    Conflict,
    DomainError,
    Invalid,
    NotAllowed,
    NotFound,
    RateLimited,
    Unavailable,
)

STATUS_CODES: dict[type[DomainError], int] = {
    Invalid: 400,
    NotAllowed: 403,
    NotFound: 404,
    Conflict: 409,
    RateLimited: 429,
    Unavailable: 503,
}


def status_for(error: DomainError) -> int:
    """The status code a refusal answers with (400 for a kind without its own)."""
    for kind in type(error).__mro__:
        if kind in STATUS_CODES:
            return STATUS_CODES[kind]
    return 400


# A refusal answered to htmx with a fragment (the form again, saying why) uses 422 Unprocessable
# Content whatever the refusal's own status: base.html tells htmx to swap 4xx fragments in like
# a success, and django-htmx's debug script (DEBUG, as `make run` serves) would otherwise replace
# the whole document with a 400, 403 or 404 fragment.
REFUSED_FRAGMENT = 422


def fragment_status(request: HttpRequest, status: int) -> int:
    """The status to answer with: a refusal's own for a full page, REFUSED_FRAGMENT for htmx."""
    if status >= 400 and request.htmx and not request.htmx.boosted:
        return REFUSED_FRAGMENT
    return status


def with_error_headers(response: HttpResponse, error: DomainError) -> HttpResponse:
    """`Retry-After` for a rate limit that knows when it lifts."""
    if isinstance(error, RateLimited) and error.retry_after is not None:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def action_error(request: HttpRequest, message: str, *, back: str, status: int) -> HttpResponse:
    """The page an action that failed lands on without htmx: what went wrong and a way back."""
    return render(
        request, "core/action_error.html", {"message": message, "back": back}, status=status
    )


def refused(request: HttpRequest, error: DomainError, *, back: str) -> HttpResponse:
    """The action-error page for a refusal, with the refusal's status."""
    response = action_error(request, error.message, back=back, status=status_for(error))
    return with_error_headers(response, error)


def wants_fragment(request: HttpRequest) -> bool:
    """Whether to answer with a fragment: an htmx request, except a history restore (htmx
    fetching a page it no longer has in its cache, which must be the full page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page(
    request: HttpRequest,
    template: str,
    context: dict | None = None,
    *,
    fragment: str | None = None,
    status: int = 200,
    vary: tuple[str, ...] = (),
) -> HttpResponse:
    """`template` as a full page, or its `{% partialdef fragment %}` for htmx.

    The response varies on HX-Request (and on `vary`, the other headers that chose the
    fragment), so a cache never serves a fragment for the page or the page for a fragment.
    """
    if fragment and wants_fragment(request):
        template = f"{template}#{fragment}"
        status = fragment_status(request, status)
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request", *vary])
    return response
