"""Assertions and helpers the test modules share."""

import html
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import IntegrityError, OperationalError, connection
from django.test.utils import CaptureQueriesContext

from core.errors import DomainError, Invalid


def text(response):
    """The page as a member reads it: the HTML with its entities (&#x27; …) decoded."""
    return html.unescape(response.content.decode())


def refused_by_database(*errors):
    """The write raises IntegrityError (or one of `errors`). Run each refused write in its own
    transaction.atomic() so the test's transaction stays usable for the assertions after it."""
    return pytest.raises(errors or IntegrityError)


def database_down():
    """Every new cursor fails as it does while PostgreSQL is down or unreachable."""
    return mock.patch.object(
        connection, "cursor", side_effect=OperationalError("connection refused")
    )


def queries_for(client, url):
    """How many queries a successful GET of `url` costs."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context)


@contextmanager
def refused(snapshot, message, kind: type[DomainError] = Invalid):
    """The block raises a domain error of this kind (exactly) with this message, and
    `snapshot()` (every row the service could touch) is unchanged: the refusal stored nothing."""
    before = snapshot()
    with pytest.raises(DomainError) as info:
        yield info
    assert info.value.message == message
    assert type(info.value) is kind
    assert snapshot() == before
