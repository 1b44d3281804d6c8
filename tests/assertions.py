"""Assertions and helpers the test modules share."""

import html
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import IntegrityError, OperationalError, connection
from django.test.utils import CaptureQueriesContext

from core.errors import DomainError, Invalid


def text(response):
    """The page as a member reads it: the HTML with its entities (&#x27; …) decoded."""
    return html.unescape(response.content.decode())


def rendered_fragments(client, url, *kinds: str) -> tuple[str, int]:
    """The page at `url`, and how many cached fragments of these kinds (the prefixes of their
    keys: "topbar", "members:row", "inmail:row"…) it had to render; the others came from the
    cache (core.fragments)."""
    cache = caches["fragments"]
    with (
        mock.patch.object(cache, "set_many", wraps=cache.set_many) as set_many,
        mock.patch.object(cache, "set", wraps=cache.set) as set_one,
    ):
        response = client.get(url)
    assert response.status_code == 200
    # A set (some caches' set_many calls their set).
    keys = {key for call in set_many.call_args_list for key in call.args[0]}
    keys |= {call.args[0] for call in set_one.call_args_list}
    return response.content.decode(), len([key for key in keys if key.startswith(kinds)])


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
