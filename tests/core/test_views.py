import logging

import pytest
import redis
from django.db import InterfaceError
from django.test import Client, RequestFactory

from core.views import server_error
from tests.assertions import database_down


@pytest.fixture
def browser_client(member):
    # As a browser sees it: the error page, not the exception re-raised into the test.
    client = Client(raise_request_exception=False)
    client.force_login(member)
    return client


@pytest.mark.parametrize("url", ["/", "/messaging/", "/premium/", "/settings/"])
def test_a_database_outage_answers_503_with_the_sites_page_and_retry_after(browser_client, url):
    with database_down():
        response = browser_client.get(url)

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"InMail is unavailable for a moment" in response.content
    assert b"/static/css/app.css" in response.content
    # Nothing private was shown, so nothing is marked private; the CSP still applies.
    assert "Cache-Control" not in response
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_a_database_outage_during_a_post_answers_503_too(browser_client):
    with database_down():
        response = browser_client.post("/settings/", {"accept_inmail": "on"})

    assert response.status_code == 503


def test_a_database_outage_is_still_logged_for_the_operators(browser_client, caplog):
    with caplog.at_level(logging.ERROR, logger="django.request"), database_down():
        browser_client.get("/messaging/")

    assert "Service Unavailable: /messaging/" in caplog.text


def test_a_dropped_connection_answers_503():
    try:
        raise InterfaceError("connection already closed")
    except InterfaceError:
        response = server_error(RequestFactory().get("/"))

    assert response.status_code == 503


@pytest.mark.parametrize(
    "outage", [redis.ConnectionError("Connection refused"), redis.TimeoutError("Timeout")]
)
def test_a_redis_outage_answers_503_too(outage):
    # The rate limits count in Redis: while it is down a limited action cannot be checked.
    try:
        raise outage
    except redis.RedisError:
        response = server_error(RequestFactory().get("/"))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def test_any_other_uncaught_error_is_still_a_500_with_the_sites_page():
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert b"Something went wrong" in response.content
    assert b"/static/css/app.css" in response.content
