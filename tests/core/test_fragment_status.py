from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from core.http import fragment_status


def request(**headers):
    request = RequestFactory().post("/", headers=headers)
    request.htmx = HtmxDetails(request)
    return request


def test_a_full_page_refusal_keeps_its_own_status():
    assert fragment_status(request(), 403) == 403


def test_an_htmx_refusal_is_422_so_htmx_swaps_it_in_in_every_mode():
    assert fragment_status(request(**{"HX-Request": "true"}), 403) == 422
    assert fragment_status(request(**{"HX-Request": "true"}), 400) == 422


def test_a_boosted_request_keeps_its_own_status():
    assert fragment_status(request(**{"HX-Request": "true", "HX-Boosted": "true"}), 409) == 409


def test_a_success_keeps_its_status_with_htmx():
    assert fragment_status(request(**{"HX-Request": "true"}), 200) == 200
