"""The HTTP side of the domain errors: one status per kind, and the page a refusal shows."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from core import errors
from core.http import refused, render_page, status_for, wants_fragment


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        (errors.Invalid, 400),
        (errors.NotAllowed, 403),
        (errors.NotFound, 404),
        (errors.Conflict, 409),
        (errors.RateLimited, 429),
        (errors.Unavailable, 503),
        (errors.DomainError, 400),
    ],
)
def test_each_kind_of_refusal_answers_with_its_status(kind, status):
    assert status_for(kind("No.")) == status


def test_a_refusal_of_a_subclass_answers_with_its_parent_kind_status():
    class AlreadyBlocked(errors.Conflict):
        pass

    assert status_for(AlreadyBlocked("Already.")) == 409


HTMX = {"HX-Request": "true"}
RESTORE = {**HTMX, "HX-History-Restore-Request": "true"}


def _request(path="/", headers=None):
    request = RequestFactory().get(path, headers=headers or {})
    request.user = AnonymousUser()
    request.htmx = HtmxDetails(request)
    return request


def test_refusal_page_shows_the_message_with_its_status_and_a_way_back():
    response = refused(_request(), errors.Conflict("You're already connected."), back="/in/ada/")

    assert response.status_code == 409
    content = response.content.decode()
    assert "You&#x27;re already connected." in content
    assert 'href="/in/ada/"' in content
    assert "Retry-After" not in response.headers


def test_rate_limited_refusal_says_when_to_retry():
    error = errors.RateLimited("Too many invitations. Try again later.", retry_after=120)

    response = refused(_request(), error, back="/")

    assert response.status_code == 429
    assert response.headers["Retry-After"] == "120"


def test_only_an_htmx_request_that_is_not_a_history_restore_wants_a_fragment():
    assert not wants_fragment(_request())
    assert wants_fragment(_request(headers=HTMX))
    assert not wants_fragment(_request(headers=RESTORE))


@pytest.mark.parametrize(
    ("headers", "fragment_only"),
    [({}, False), (HTMX, True), (RESTORE, False)],
)
def test_page_or_its_fragment_and_always_vary_on_hx_request(headers, fragment_only):
    request = _request("/search/", headers)

    response = render_page(request, "accounts/search.html", {"query": ""}, fragment="results")

    content = response.content.decode()
    assert 'id="results"' in content
    assert ("<html" not in content) is fragment_only
    assert response.headers["Vary"] == "HX-Request"


def test_other_headers_that_chose_the_fragment_are_varied_on_too():
    response = render_page(
        _request(), "accounts/search.html", {"query": ""}, fragment="results", vary=("HX-Target",)
    )

    assert response.headers["Vary"] == "HX-Request, HX-Target"
